/**
 * What the FHIR API reads: one patient's readings page by page (keyset on measurement time and
 * the Observation's anchor reading id, so paging is stable while readings keep arriving),
 * a reading by its Observation id (md5 of its id, index of migration 014), devices and gateways
 * by their Device id, and the patients a device or gateway was ever bound to (access).
 */
import type { ReadingRecord } from '../../fhir/observation.ts';
import type { DeviceRecord, GatewayRecord } from '../../fhir/resources.ts';
import type { Sql } from '../sql.ts';
import { clientVisiblePatients } from './api-clients.ts';
import { visiblePatientIds } from './patients.ts';

export interface ReadingFilter {
  patientId: string;
  /** Only these metrics (a `code` search); undefined = all. */
  metrics?: readonly string[];
  /** Measurement time bounds (the `date` parameter), as SQL comparisons. */
  time?: readonly { op: '>=' | '>' | '<' | '<='; at: Date }[];
  /** Arrival bounds (`_lastUpdated`). */
  received?: readonly { op: '>=' | '>' | '<' | '<='; at: Date }[];
}

// The recorder's name is looked up apart (withRecorderNames): most readings come from devices.
const COLUMNS = `r.id, r.patient_id, r.device_id, r.gateway_id, r.metric, r.time, r.value, r.code, r.unit, r.time_source,
  r.flags, r.group_id, r.received_at, r.recorded_by`;
const FROM = 'readings r';

/** Fills in `recorder_name` of the readings a care-team member recorded (one query for them all). */
async function withRecorderNames(sql: Sql, rows: ReadingRecord[]): Promise<ReadingRecord[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.recorded_by ? [r.recorded_by] : [])))];
  const names = new Map<string, string>();
  if (ids.length) {
    const u = await sql.query<{ id: string; display_name: string }>(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    for (const x of u.rows) names.set(x.id, x.display_name);
  }
  for (const r of rows) r.recorder_name = r.recorded_by ? (names.get(r.recorded_by) ?? null) : null;
  return rows;
}

function where(f: ReadingFilter, params: unknown[]): string {
  params.push(f.patientId);
  const parts = [`r.patient_id = $${params.length}`];
  if (f.metrics) {
    params.push(f.metrics);
    parts.push(`r.metric = ANY($${params.length}::text[])`);
  }
  for (const b of f.time ?? []) {
    params.push(b.at);
    parts.push(`r.time ${b.op} $${params.length}`);
  }
  for (const b of f.received ?? []) {
    params.push(b.at);
    parts.push(`r.received_at ${b.op} $${params.length}`);
  }
  return parts.join(' AND ');
}

/**
 * The readings of the next page: every reading at the cursor's instant (the caller drops the
 * Observations at or before the cursor), then up to `limit` readings after it in (time, id)
 * order, then the rest of the last instant so that no blood pressure is split across pages.
 * `more` says whether readings after these exist.
 */
export async function readingsPage(
  sql: Sql,
  f: ReadingFilter,
  after: Date | undefined,
  limit: number,
): Promise<{ rows: ReadingRecord[]; more: boolean }> {
  const rows: ReadingRecord[] = [];
  if (after) {
    const p: unknown[] = [];
    const w = where(f, p);
    p.push(after);
    rows.push(
      ...(await sql.query<ReadingRecord>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${w} AND r.time = $${p.length}`, p))
        .rows,
    );
  }
  const p: unknown[] = [];
  const w = where(f, p);
  let cond = '';
  if (after) {
    p.push(after);
    cond = ` AND r.time > $${p.length}`;
  }
  p.push(limit + 1);
  const page = (
    await sql.query<ReadingRecord>(
      `SELECT ${COLUMNS} FROM ${FROM} WHERE ${w}${cond} ORDER BY r.time, r.id LIMIT $${p.length}`,
      p,
    )
  ).rows;
  const more = page.length > limit;
  if (more) page.pop();
  rows.push(...page);
  const last = page.at(-1);
  if (more && last) {
    const q: unknown[] = [];
    const w2 = where(f, q);
    q.push(last.time, last.id);
    rows.push(
      ...(
        await sql.query<ReadingRecord>(
          `SELECT ${COLUMNS} FROM ${FROM} WHERE ${w2} AND r.time = $${q.length - 1} AND r.id > $${q.length}`,
          q,
        )
      ).rows,
    );
  }
  return { rows: await withRecorderNames(sql, rows), more };
}

/**
 * The readings of one Observation: the reading whose md5(id) is `hash`, with the other pressures
 * of its cuff inflation when it is a blood pressure. Empty when there is none.
 */
export async function readingsOfObservation(sql: Sql, hash: string): Promise<ReadingRecord[]> {
  const r = await sql.query<ReadingRecord>(`SELECT ${COLUMNS} FROM ${FROM} WHERE md5(r.id) = $1`, [hash]);
  const anchor = r.rows[0];
  if (!anchor?.patient_id) return [];
  if (!anchor.metric.startsWith('bp_') || anchor.device_id === 'observation') return withRecorderNames(sql, [anchor]);
  const all = await sql.query<ReadingRecord>(
    `SELECT ${COLUMNS} FROM ${FROM}
      WHERE r.patient_id = $1 AND r.device_id = $2 AND r.time = $3 AND r.metric IN ('bp_systolic','bp_diastolic','bp_mean')`,
    [anchor.patient_id, anchor.device_id, anchor.time],
  );
  return withRecorderNames(sql, all.rows);
}

/** A measuring device by the md5 of its id, with the Device Information its gateway reported (newest per field). */
export async function deviceByHash(sql: Sql, hash: string): Promise<DeviceRecord | undefined> {
  const r = await sql.query<DeviceRecord>(
    `SELECT d.id, d.gateway_id, d.model, d.label, d.last_seen, d.created_at,
            -- Each characteristic arrives as its own event: the newest value of each field.
            (SELECT jsonb_object_agg(x.k, x.v) FROM (
               SELECT DISTINCT ON (kv.key) kv.key AS k, kv.value AS v
                 FROM gateway_events e, jsonb_each(e.detail) kv
                WHERE e.gateway_id = d.gateway_id AND e.device_id = d.id AND e.type = 'device_info'
                  AND jsonb_typeof(e.detail) = 'object'
                ORDER BY kv.key, e.time DESC, e.id DESC) x) AS info
       FROM devices d WHERE md5(d.id) = $1`,
    [hash],
  );
  return r.rows[0];
}

export async function gatewayByHash(sql: Sql, hash: string): Promise<GatewayRecord | undefined> {
  const r = await sql.query<GatewayRecord>(
    `SELECT g.id, g.label, g.revoked_at, g.created_at, s.version, s.reported_at
       FROM gateways g LEFT JOIN gateway_status s ON s.gateway_id = g.id WHERE md5(g.id) = $1`,
    [hash],
  );
  return r.rows[0];
}

/** The patients a device (or any device of a gateway) was ever bound to. */
export async function patientsOfDevice(sql: Sql, kind: 'device' | 'gateway', id: string): Promise<string[]> {
  const r = await sql.query<{ patient_id: string }>(
    kind === 'device'
      ? 'SELECT DISTINCT patient_id FROM bindings WHERE device_id = $1'
      : `SELECT DISTINCT b.patient_id FROM bindings b JOIN devices d ON d.id = b.device_id WHERE d.gateway_id = $1`,
    [id],
  );
  return r.rows.map((x) => x.patient_id);
}

/**
 * Of these patients, the ones the caller may see: a user through the one visible-patients
 * fragment, an API client through its own patients and clearance.
 */
export async function visibleToCaller(
  sql: Sql,
  userId: string | null,
  client: { id: string; clearance: 'team' | 'clinical' } | null,
  patientIds: readonly string[],
): Promise<string[]> {
  if (client) return clientVisiblePatients(sql, client.id, client.clearance, patientIds);
  if (!userId) return [];
  const r = await sql.query<{ id: string }>(
    `SELECT p.id FROM patients p WHERE p.id = ANY($2::uuid[]) AND p.id IN ${visiblePatientIds('$1::uuid')} ORDER BY p.id`,
    [userId, patientIds],
  );
  return r.rows.map((x) => x.id);
}
