/**
 * FHIR Bulk Data export jobs (migration 014): created at kick-off, claimed by any instance with
 * FOR UPDATE SKIP LOCKED and a lease, advanced patient chunk by patient chunk (the cursor is
 * `done_patients`, so a job whose instance died goes on where it stopped), then served as NDJSON
 * files streamed from the readings at download time.
 */
import type { Sql } from '../sql.ts';
import { visiblePatientIds } from './patients.ts';

export interface ExportFile {
  type: 'Patient' | 'Observation' | 'Device';
  patients: string[];
}

export interface ExportRow {
  id: string;
  user_id: string | null;
  client_id: string | null;
  organisation_id: string | null;
  request_url: string;
  patient_ids: string[];
  types: string[];
  since: Date | null;
  until: Date;
  status: 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';
  done_patients: number;
  files: ExportFile[];
  lease_until: Date | null;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export async function createExport(
  sql: Sql,
  e: {
    id: string;
    userId: string | null;
    clientId: string | null;
    organisationId: string | null;
    requestUrl: string;
    patientIds: string[];
    types: string[];
    since: Date | null;
  },
): Promise<ExportRow> {
  const r = await sql.query<ExportRow>(
    `INSERT INTO fhir_exports (id, user_id, client_id, organisation_id, request_url, patient_ids, types, since, until, status)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8, now(), 'queued') RETURNING *`,
    [e.id, e.userId, e.clientId, e.organisationId, e.requestUrl, e.patientIds, e.types, e.since],
  );
  return r.rows[0]!;
}

/** A job of this requester (a user or an API client); another's is none. */
export async function findExportOf(
  sql: Sql,
  id: string,
  requester: { userId: string | null; clientId: string | null },
): Promise<ExportRow | undefined> {
  const r = await sql.query<ExportRow>(
    `SELECT * FROM fhir_exports WHERE id = $1
        AND (($2::uuid IS NOT NULL AND user_id = $2) OR ($3::uuid IS NOT NULL AND client_id = $3))`,
    [id, requester.userId, requester.clientId],
  );
  return r.rows[0];
}

/** Claims the oldest job due (queued, or running with an expired lease) for `leaseMs`. */
export async function claimExport(sql: Sql, leaseMs: number): Promise<ExportRow | undefined> {
  const r = await sql.query<ExportRow>(
    `UPDATE fhir_exports SET status = 'running', lease_until = now() + ($1::int * interval '1 millisecond')
      WHERE id = (SELECT id FROM fhir_exports
                   WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
                   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [leaseMs],
  );
  return r.rows[0];
}

/** Records a chunk done (the cursor and the files so far) and extends the lease; false when the job was cancelled. */
export async function advanceExport(
  sql: Sql,
  id: string,
  donePatients: number,
  files: ExportFile[],
  leaseMs: number,
  complete: boolean,
): Promise<boolean> {
  const r = await sql.query(
    `UPDATE fhir_exports SET done_patients = $2, files = $3,
        lease_until = CASE WHEN $5 THEN NULL ELSE now() + ($4::int * interval '1 millisecond') END,
        status = CASE WHEN $5 THEN 'complete' ELSE status END,
        completed_at = CASE WHEN $5 THEN now() ELSE completed_at END
      WHERE id = $1 AND status = 'running'`,
    [id, donePatients, JSON.stringify(files), leaseMs, complete],
  );
  return r.rowCount === 1;
}

export async function failExport(sql: Sql, id: string, error: string): Promise<void> {
  await sql.query(`UPDATE fhir_exports SET status = 'failed', error = $2, lease_until = NULL WHERE id = $1`, [
    id,
    error.slice(0, 1000),
  ]);
}

export async function cancelExport(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `UPDATE fhir_exports SET status = 'cancelled', lease_until = NULL WHERE id = $1 AND status IN ('queued','running')`,
    [id],
  );
}

/** Of these patients, the ones that still exist, in a stable order (a chunk of a job). */
export async function existingPatients(sql: Sql, ids: readonly string[]): Promise<string[]> {
  const r = await sql.query<{ id: string }>('SELECT id FROM patients WHERE id = ANY($1::uuid[]) ORDER BY id', [ids]);
  return r.rows.map((x) => x.id);
}

/** A group export's patients: those an organisation registered that the user may see. */
export async function organisationPatientsVisibleTo(
  sql: Sql,
  organisationId: string,
  userId: string,
): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    `SELECT p.id FROM patients p WHERE p.organisation_id = $2 AND p.id IN ${visiblePatientIds('$1::uuid')} ORDER BY p.id`,
    [userId, organisationId],
  );
  return r.rows.map((x) => x.id);
}

/** A group export's patients for an API client: its own patients that the organisation registered. */
export async function organisationPatientsOfClient(
  sql: Sql,
  organisationId: string,
  clientId: string,
  clearance: string,
): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    `SELECT p.id FROM patients p JOIN api_client_patients cp ON cp.patient_id = p.id AND cp.client_id = $2
      WHERE p.organisation_id = $1
        AND (CASE p.vitals_sensitivity WHEN 'team' THEN 0 WHEN 'clinical' THEN 1 ELSE 2 END)
            <= (CASE $3::text WHEN 'team' THEN 0 WHEN 'clinical' THEN 1 ELSE 2 END)
      ORDER BY p.id`,
    [organisationId, clientId, clearance],
  );
  return r.rows.map((x) => x.id);
}

/** Patients as the export writes them. */
export async function patientRecords(sql: Sql, ids: readonly string[]) {
  const r = await sql.query<{ id: string; display_name: string; birth_date: string | null; created_at: Date }>(
    `SELECT id, display_name, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, created_at FROM patients
      WHERE id = ANY($1::uuid[]) ORDER BY id`,
    [ids],
  );
  return r.rows;
}

/** The devices (and their gateways) ever bound to these patients. */
export async function deviceIdsOfPatients(
  sql: Sql,
  ids: readonly string[],
): Promise<{ devices: string[]; gateways: string[] }> {
  const r = await sql.query<{ id: string; gateway_id: string | null }>(
    `SELECT DISTINCT d.id, d.gateway_id FROM bindings b JOIN devices d ON d.id = b.device_id
      WHERE b.patient_id = ANY($1::uuid[]) ORDER BY d.id`,
    [ids],
  );
  return {
    devices: r.rows.map((x) => x.id),
    gateways: [...new Set(r.rows.flatMap((x) => (x.gateway_id ? [x.gateway_id] : [])))].sort(),
  };
}
