/** Gateways (with their MQTT secrets), their status and events, and the devices they read. */
import type { GatewayConfig, GatewayEvent, GatewayStatus } from '@vitals/contract';
import type { Sql } from '../sql.ts';

export interface GatewayRow {
  id: string;
  label: string | null;
  secret_hash: string;
  revoked_at: Date | null;
  organisation_id: string | null;
}

export async function createGateway(
  sql: Sql,
  g: { id: string; label?: string; secretHash: string; organisationId?: string },
): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO gateways (id, label, secret_hash, organisation_id) VALUES ($1,$2,$3,$4) ON CONFLICT (id) DO NOTHING`,
    [g.id, g.label ?? null, g.secretHash, g.organisationId ?? null],
  );
  return r.rowCount === 1;
}

export async function findGateway(sql: Sql, id: string): Promise<GatewayRow | undefined> {
  const r = await sql.query<GatewayRow>(
    'SELECT id, label, secret_hash, revoked_at, organisation_id FROM gateways WHERE id = $1',
    [id],
  );
  return r.rows[0];
}

/** Replaces the gateway's MQTT secret; the old one stops working at once. */
export async function rotateGatewaySecret(sql: Sql, id: string, secretHash: string): Promise<boolean> {
  const r = await sql.query(
    'UPDATE gateways SET secret_hash = $2, secret_rotated_at = now(), revoked_at = NULL WHERE id = $1',
    [id, secretHash],
  );
  return r.rowCount === 1;
}

export async function revokeGateway(sql: Sql, id: string): Promise<boolean> {
  const r = await sql.query('UPDATE gateways SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return r.rowCount === 1;
}

export async function listGateways(sql: Sql) {
  const r = await sql.query<{
    id: string;
    label: string | null;
    revoked_at: Date | null;
    state: string | null;
    updated_at: Date | null;
    version: string | null;
  }>(
    `SELECT g.id, g.label, g.revoked_at, s.state, s.updated_at, s.version
       FROM gateways g LEFT JOIN gateway_status s ON s.gateway_id = g.id ORDER BY g.id`,
  );
  return r.rows.map((g) => ({
    id: g.id,
    ...(g.label ? { label: g.label } : {}),
    revoked: g.revoked_at !== null,
    status: g.state ?? 'unknown',
    ...(g.updated_at ? { statusAt: g.updated_at.toISOString() } : {}),
    ...(g.version ? { version: g.version } : {}),
  }));
}

export async function recordGatewayStatus(sql: Sql, gatewayId: string, s: Partial<GatewayStatus>) {
  await sql.query(
    `INSERT INTO gateway_status (gateway_id, state, reported_at, version, boot_id, updated_at)
     VALUES ($1,$2,$3,$4,$5, now())
     ON CONFLICT (gateway_id) DO UPDATE SET state = excluded.state, reported_at = excluded.reported_at,
       version = excluded.version, boot_id = excluded.boot_id, updated_at = now()`,
    [gatewayId, s.state ?? 'unknown', s.time ?? null, s.version ?? null, s.bootId ?? null],
  );
}

export async function recordGatewayEvent(sql: Sql, gatewayId: string, e: GatewayEvent) {
  await sql.query('INSERT INTO gateway_events (gateway_id, time, device_id, type, detail) VALUES ($1,$2,$3,$4,$5)', [
    gatewayId,
    e.time,
    e.device ?? null,
    e.type,
    e.detail === undefined ? null : JSON.stringify(e.detail),
  ]);
}

/** Upserts the devices a batch came from; first gateway seen owns the device until reassigned. */
/** Notes the devices seen in a commit (one statement; sorted by id so commits lock in one order). */
export async function touchDevices(
  sql: Sql,
  devices: { id: string; gatewayId: string; model?: string; lastSeen: string }[],
) {
  if (devices.length === 0) return;
  const sorted = [...devices].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await sql.query(
    `INSERT INTO devices (id, gateway_id, model, first_seen, last_seen)
     SELECT d.id, d.gateway_id, d.model, d.seen, d.seen
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS d(id, gateway_id, model, seen)
     ON CONFLICT (id) DO UPDATE SET last_seen = GREATEST(devices.last_seen, excluded.last_seen),
       model = COALESCE(excluded.model, devices.model), gateway_id = COALESCE(devices.gateway_id, excluded.gateway_id)`,
    [
      sorted.map((d) => d.id),
      sorted.map((d) => d.gatewayId),
      sorted.map((d) => d.model ?? null),
      sorted.map((d) => d.lastSeen),
    ],
  );
}

export async function ensureDevice(sql: Sql, d: { id: string; gatewayId?: string; model?: string; label?: string }) {
  await sql.query(
    `INSERT INTO devices (id, gateway_id, model, label) VALUES ($1,$2,$3,$4)
     ON CONFLICT (id) DO UPDATE SET gateway_id = COALESCE(excluded.gateway_id, devices.gateway_id),
       model = COALESCE(excluded.model, devices.model), label = COALESCE(excluded.label, devices.label)`,
    [d.id, d.gatewayId ?? null, d.model ?? null, d.label ?? null],
  );
}

/**
 * The retained `config` payload for a gateway: its devices and the home's timezone (the bound
 * patients' zone, else the organisation's that registered the gateway).
 */
export async function gatewayConfig(sql: Sql, gatewayId: string): Promise<GatewayConfig> {
  const devices = await sql.query<{ id: string; allowed: boolean; label: string | null }>(
    'SELECT id, allowed, label FROM devices WHERE gateway_id = $1 ORDER BY id',
    [gatewayId],
  );
  const tz = await sql.query<{ timezone: string }>(
    `SELECT COALESCE((SELECT p.timezone FROM bindings b JOIN devices d ON d.id = b.device_id
        JOIN patients p ON p.id = b.patient_id WHERE d.gateway_id = $1 AND b.valid_to IS NULL
        ORDER BY b.valid_from DESC LIMIT 1),
        (SELECT o.timezone FROM gateways g JOIN organisations o ON o.id = g.organisation_id WHERE g.id = $1),
        'Asia/Tokyo') AS timezone`,
    [gatewayId],
  );
  return {
    v: 1,
    devices: devices.rows.map((d) => ({ id: d.id, allow: d.allowed, ...(d.label ? { label: d.label } : {}) })),
    timezone: tz.rows[0]!.timezone,
  };
}
