/**
 * API clients (machines that read through the FHIR API), their patients and their access
 * tokens (migration 014). Secrets and tokens are stored hashed (auth/secrets.ts).
 */
import type { Sql } from '../sql.ts';
import { type Clearance, clearanceReaches, PATIENT_COLUMNS, type PatientRow } from './patients.ts';

export interface ApiClientRow {
  id: string;
  organisation_id: string;
  name: string;
  scopes: string[];
  clearance: 'team' | 'clinical';
  secret_hash: string;
  secret_rotated_at: Date;
  created_at: Date;
  revoked_at: Date | null;
  patient_ids: string[];
}

const SELECT = `SELECT c.id, c.organisation_id, c.name, c.scopes, c.clearance, c.secret_hash, c.secret_rotated_at,
    c.created_at, c.revoked_at,
    coalesce((SELECT array_agg(cp.patient_id::text ORDER BY cp.patient_id) FROM api_client_patients cp WHERE cp.client_id = c.id),
             '{}') AS patient_ids
  FROM api_clients c`;

export async function createApiClient(
  tx: Sql,
  c: {
    id: string;
    organisationId: string;
    name: string;
    scopes: string[];
    clearance: Clearance;
    secretHash: string;
    patientIds: string[];
    createdBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO api_clients (id, organisation_id, name, scopes, clearance, secret_hash, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [c.id, c.organisationId, c.name, c.scopes, c.clearance, c.secretHash, c.createdBy],
  );
  await setClientPatients(tx, c.id, c.patientIds);
}

export async function setClientPatients(tx: Sql, clientId: string, patientIds: string[]): Promise<void> {
  await tx.query('DELETE FROM api_client_patients WHERE client_id = $1', [clientId]);
  await tx.query(
    'INSERT INTO api_client_patients (client_id, patient_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING',
    [clientId, patientIds],
  );
}

/** Clients of these organisations, newest first. */
export async function listApiClients(sql: Sql, organisationIds: readonly string[]): Promise<ApiClientRow[]> {
  const r = await sql.query<ApiClientRow>(
    `${SELECT} WHERE c.organisation_id = ANY($1::uuid[]) ORDER BY c.created_at DESC, c.id`,
    [organisationIds],
  );
  return r.rows;
}

/** A client of one of these organisations (another organisation's looks like none). */
export async function findApiClientOf(
  sql: Sql,
  id: string,
  organisationIds: readonly string[],
): Promise<ApiClientRow | undefined> {
  const r = await sql.query<ApiClientRow>(`${SELECT} WHERE c.id = $1 AND c.organisation_id = ANY($2::uuid[])`, [
    id,
    organisationIds,
  ]);
  return r.rows[0];
}

export async function findApiClient(sql: Sql, id: string): Promise<ApiClientRow | undefined> {
  const r = await sql.query<ApiClientRow>(`${SELECT} WHERE c.id = $1`, [id]);
  return r.rows[0];
}

export async function rotateApiClientSecret(sql: Sql, id: string, secretHash: string): Promise<void> {
  await sql.query('UPDATE api_clients SET secret_hash = $2, secret_rotated_at = now() WHERE id = $1', [id, secretHash]);
  // Tokens issued with the old secret end with it.
  await sql.query('DELETE FROM api_client_tokens WHERE client_id = $1', [id]);
}

export async function revokeApiClient(sql: Sql, id: string): Promise<void> {
  await sql.query('UPDATE api_clients SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [id]);
  await sql.query('DELETE FROM api_client_tokens WHERE client_id = $1', [id]);
}

export async function storeClientToken(
  sql: Sql,
  t: { tokenHash: string; clientId: string; scopes: string[]; expiresAt: Date },
): Promise<void> {
  await sql.query('DELETE FROM api_client_tokens WHERE client_id = $1 AND expires_at < now()', [t.clientId]);
  await sql.query('INSERT INTO api_client_tokens (token_hash, client_id, scopes, expires_at) VALUES ($1,$2,$3,$4)', [
    t.tokenHash,
    t.clientId,
    t.scopes,
    t.expiresAt,
  ]);
}

export interface ClientToken {
  client_id: string;
  organisation_id: string;
  name: string;
  clearance: 'team' | 'clinical';
  scopes: string[];
}

/** The live client behind an access token (not expired, client not revoked). */
export async function findClientToken(sql: Sql, tokenHash: string): Promise<ClientToken | undefined> {
  const r = await sql.query<ClientToken>(
    `SELECT c.id AS client_id, c.organisation_id, c.name, c.clearance, t.scopes
       FROM api_client_tokens t JOIN api_clients c ON c.id = t.client_id
      WHERE t.token_hash = $1 AND t.expires_at > now() AND c.revoked_at IS NULL`,
    [tokenHash],
  );
  return r.rows[0];
}

/**
 * The patient with whether this client may see it: the client names the patient (its care
 * team) and the client's clearance reaches the patient's vitals sensitivity.
 */
export async function clientPatientGrant(
  sql: Sql,
  clientId: string,
  clearance: Clearance,
  patientId: string,
): Promise<(PatientRow & { visible: boolean }) | undefined> {
  const r = await sql.query<PatientRow & { visible: boolean }>(
    `SELECT ${PATIENT_COLUMNS},
            (EXISTS (SELECT 1 FROM api_client_patients cp WHERE cp.client_id = $1 AND cp.patient_id = p.id)
              AND ${clearanceReaches('$3::text', 'p.vitals_sensitivity')}) AS visible
       FROM patients p WHERE p.id = $2`,
    [clientId, patientId, clearance],
  );
  return r.rows[0];
}

/** Of these patients, the ones this client may see (clientPatientGrant). */
export async function clientVisiblePatients(
  sql: Sql,
  clientId: string,
  clearance: Clearance,
  patientIds: readonly string[],
): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    `SELECT p.id FROM patients p JOIN api_client_patients cp ON cp.patient_id = p.id AND cp.client_id = $1
      WHERE p.id = ANY($2::uuid[]) AND ${clearanceReaches('$3::text', 'p.vitals_sensitivity')}`,
    [clientId, patientIds, clearance],
  );
  return r.rows.map((x) => x.id);
}

/** Patients registered by one of these organisations (what an administrator may give a client). */
export async function patientsOfOrganisations(
  sql: Sql,
  patientIds: readonly string[],
  organisationIds: readonly string[],
): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    'SELECT id FROM patients WHERE id = ANY($1::uuid[]) AND organisation_id = ANY($2::uuid[])',
    [patientIds, organisationIds],
  );
  return r.rows.map((x) => x.id);
}
