/** Gateways (with their MQTT secrets), their status and events, and the devices they read. */
import {
  type GatewayConfig,
  type GatewayEvent,
  type GatewaySettingsReport,
  type GatewaySettingValues,
  type GatewayStatus,
  settingsReportOf,
} from '@vitals/contract';
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

/**
 * Registers many gateways in one statement (a regional roll-out, the fleet benchmark): the same
 * rows as createGateway; ids that exist are left as they are. Returns how many were created.
 */
export async function createGateways(
  sql: Sql,
  gateways: { id: string; label?: string; secretHash: string; organisationId: string }[],
): Promise<number> {
  if (gateways.length === 0) return 0;
  const r = await sql.query(
    `INSERT INTO gateways (id, label, secret_hash, organisation_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[])
     ON CONFLICT (id) DO NOTHING`,
    [
      gateways.map((g) => g.id),
      gateways.map((g) => g.label ?? null),
      gateways.map((g) => g.secretHash),
      gateways.map((g) => g.organisationId),
    ],
  );
  return r.rowCount;
}

export async function findGateway(sql: Sql, id: string): Promise<GatewayRow | undefined> {
  const r = await sql.query<GatewayRow>(
    'SELECT id, label, secret_hash, revoked_at, organisation_id FROM gateways WHERE id = $1',
    [id],
  );
  return r.rows[0];
}

/**
 * The gateway when it belongs to one of these organisations. Callers pass the organisations the
 * user may act for, so another organisation's gateway looks like no gateway at all (issue 11).
 */
export async function findGatewayOf(
  sql: Sql,
  id: string,
  organisationIds: readonly string[],
): Promise<(GatewayRow & { organisation_id: string }) | undefined> {
  const r = await sql.query<GatewayRow & { organisation_id: string }>(
    `SELECT id, label, secret_hash, revoked_at, organisation_id FROM gateways
      WHERE id = $1 AND organisation_id = ANY($2::uuid[])`,
    [id, organisationIds],
  );
  return r.rows[0];
}

/**
 * Replaces the MQTT secret of a gateway of one of these organisations; the old one stops working
 * at once. Returns the gateway's organisation, or undefined when there is no such gateway.
 */
export async function rotateGatewaySecret(
  sql: Sql,
  id: string,
  secretHash: string,
  organisationIds: readonly string[],
): Promise<string | undefined> {
  const r = await sql.query<{ organisation_id: string }>(
    `UPDATE gateways SET secret_hash = $2, secret_rotated_at = now(), revoked_at = NULL
      WHERE id = $1 AND organisation_id = ANY($3::uuid[]) RETURNING organisation_id`,
    [id, secretHash, organisationIds],
  );
  return r.rows[0]?.organisation_id;
}

/** Shuts out a gateway of one of these organisations (again is fine); returns its organisation. */
export async function revokeGateway(
  sql: Sql,
  id: string,
  organisationIds: readonly string[],
): Promise<string | undefined> {
  const r = await sql.query<{ organisation_id: string }>(
    `UPDATE gateways SET revoked_at = COALESCE(revoked_at, now())
      WHERE id = $1 AND organisation_id = ANY($2::uuid[]) RETURNING organisation_id`,
    [id, organisationIds],
  );
  return r.rows[0]?.organisation_id;
}

/** The gateways of these organisations with their last status. */
export async function listGateways(sql: Sql, organisationIds: readonly string[]) {
  const r = await sql.query<{
    id: string;
    label: string | null;
    organisation_id: string;
    revoked_at: Date | null;
    state: string | null;
    updated_at: Date | null;
    version: string | null;
  }>(
    `SELECT g.id, g.label, g.organisation_id, g.revoked_at, s.state, s.updated_at, s.version
       FROM gateways g LEFT JOIN gateway_status s ON s.gateway_id = g.id
      WHERE g.organisation_id = ANY($1::uuid[]) ORDER BY g.id`,
    [organisationIds],
  );
  return r.rows.map((g) => ({
    id: g.id,
    ...(g.label ? { label: g.label } : {}),
    organisationId: g.organisation_id,
    revoked: g.revoked_at !== null,
    status: g.state ?? 'unknown',
    ...(g.updated_at ? { statusAt: g.updated_at.toISOString() } : {}),
    ...(g.version ? { version: g.version } : {}),
  }));
}

/**
 * Records a gateway's status. The settings it reports (issue 18) are kept until it reports
 * others: its will (`offline`, set at connect) carries none.
 */
export async function recordGatewayStatus(sql: Sql, gatewayId: string, s: Partial<GatewayStatus>) {
  // What the gateway sent is cut down to known settings and plain values before it is kept.
  const report = settingsReportOf(s.settings);
  const revision = report?.revision ?? null;
  await sql.query(
    `INSERT INTO gateway_status (gateway_id, state, reported_at, version, boot_id, updated_at, settings_revision, settings_report)
     VALUES ($1,$2,$3,$4,$5, now(), $6, $7)
     ON CONFLICT (gateway_id) DO UPDATE SET state = excluded.state, reported_at = excluded.reported_at,
       version = excluded.version, boot_id = excluded.boot_id, updated_at = now(),
       settings_revision = CASE WHEN excluded.settings_report IS NULL THEN gateway_status.settings_revision
                                ELSE excluded.settings_revision END,
       settings_report = COALESCE(excluded.settings_report, gateway_status.settings_report)`,
    [
      gatewayId,
      s.state ?? 'unknown',
      s.time ?? null,
      s.version ?? null,
      s.bootId ?? null,
      revision,
      report ? JSON.stringify(report) : null,
    ],
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

export interface DeviceRecord {
  id: string;
  gateway_id: string | null;
  /** Its gateway's organisation, else the one it was registered under; null for neither. */
  organisation_id: string | null;
}

/**
 * Registers a device nobody has registered or reported yet; false when it already exists (then
 * `lockDevice` tells whose it is). Never changes an existing device, so two callers racing for
 * a new device cannot take it from one another.
 */
export async function registerNewDevice(
  tx: Sql,
  d: { id: string; organisationId: string; gatewayId?: string; model?: string; label?: string },
): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO devices (id, gateway_id, organisation_id, model, label) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (id) DO NOTHING`,
    [d.id, d.gatewayId ?? null, d.organisationId, d.model ?? null, d.label ?? null],
  );
  return r.rowCount === 1;
}

/** The device and its organisation, locked until the transaction ends. */
export async function lockDevice(tx: Sql, id: string): Promise<DeviceRecord | undefined> {
  const r = await tx.query<DeviceRecord>(
    `SELECT d.id, d.gateway_id, COALESCE(g.organisation_id, d.organisation_id) AS organisation_id
       FROM devices d LEFT JOIN gateways g ON g.id = d.gateway_id WHERE d.id = $1 FOR UPDATE OF d`,
    [id],
  );
  return r.rows[0];
}

/**
 * Updates a device the caller may manage: its gateway (a device moved to another home is
 * re-registered there), its organisation, model and label. Absent fields stay as they are.
 */
export async function updateDevice(
  tx: Sql,
  d: { id: string; organisationId: string; gatewayId?: string; model?: string; label?: string },
) {
  await tx.query(
    `UPDATE devices SET gateway_id = COALESCE($2, gateway_id), organisation_id = $3,
       model = COALESCE($4, model), label = COALESCE($5, label) WHERE id = $1`,
    [d.id, d.gatewayId ?? null, d.organisationId, d.model ?? null, d.label ?? null],
  );
}

/**
 * The retained `config` payload for a gateway: its devices, the home's timezone (the bound
 * patients' zone, else the organisation's that registered the gateway) and its remote settings.
 */
export async function gatewayConfig(sql: Sql, gatewayId: string): Promise<GatewayConfig> {
  return (await gatewayConfigs(sql, [gatewayId])).get(gatewayId) ?? { v: 1, devices: [], timezone: 'Asia/Tokyo' };
}

/**
 * The retained configs of many gateways in two statements (an organisation's default settings
 * changed for thousands of gateways); the same payload as gatewayConfig. Unknown ids are left out.
 */
export async function gatewayConfigs(sql: Sql, gatewayIds: readonly string[]): Promise<Map<string, GatewayConfig>> {
  const devices = await sql.query<{ gateway_id: string; id: string; allowed: boolean; label: string | null }>(
    'SELECT gateway_id, id, allowed, label FROM devices WHERE gateway_id = ANY($1::text[]) ORDER BY gateway_id, id',
    [gatewayIds],
  );
  const homes = await sql.query<{
    id: string;
    timezone: string;
    org: GatewaySettingValues | null;
    own: GatewaySettingValues | null;
    revision: string | null;
  }>(
    `SELECT g.id,
            COALESCE((SELECT p.timezone FROM bindings b JOIN devices d ON d.id = b.device_id
                        JOIN patients p ON p.id = b.patient_id WHERE d.gateway_id = g.id AND b.valid_to IS NULL
                       ORDER BY b.valid_from DESC LIMIT 1),
                     o.timezone, 'Asia/Tokyo') AS timezone,
            os.settings AS org, gs.settings AS own, GREATEST(os.revision, gs.revision) AS revision
       FROM gateways g
       LEFT JOIN organisations o ON o.id = g.organisation_id
       LEFT JOIN organisation_gateway_settings os ON os.organisation_id = g.organisation_id
       LEFT JOIN gateway_settings gs ON gs.gateway_id = g.id
      WHERE g.id = ANY($1::text[])`,
    [gatewayIds],
  );
  const byGateway = new Map<string, GatewayConfig['devices']>();
  for (const d of devices.rows) {
    const list = byGateway.get(d.gateway_id) ?? [];
    list.push({ id: d.id, allow: d.allowed, ...(d.label ? { label: d.label } : {}) });
    byGateway.set(d.gateway_id, list);
  }
  const out = new Map<string, GatewayConfig>();
  for (const h of homes.rows)
    out.set(h.id, {
      v: 1,
      devices: byGateway.get(h.id) ?? [],
      timezone: h.timezone,
      // Extension (issue 18): the remote settings and their revision, once an administrator set any.
      ...(h.revision !== null
        ? { settings: { revision: Number(h.revision), ...(h.org ?? {}), ...(h.own ?? {}) } }
        : {}),
    });
  return out;
}

export interface FleetGatewayRow {
  id: string;
  label: string | null;
  organisation_id: string;
  revoked_at: Date | null;
  state: string | null;
  status_at: Date | null;
  version: string | null;
  liveness: string | null;
  liveness_since: Date | null;
  last_event_at: Date | null;
  backlog: { readings?: number; held?: number; oldestAgeSeconds?: number; trend?: string } | null;
  backlog_at: Date | null;
  clock_at: Date | null;
  clock_device: string | null;
  clock_detail: Record<string, unknown> | null;
  org_settings: GatewaySettingValues | null;
  own_settings: GatewaySettingValues | null;
  settings_revision: string | null;
  applied_revision: string | null;
  settings_report: GatewaySettingsReport | null;
}

export interface FleetDeviceRow {
  id: string;
  gateway_id: string;
  model: string | null;
  label: string | null;
  allowed: boolean;
  last_seen: Date | null;
  battery_level: number | null;
  battery_low: boolean | null;
  battery_at: Date | null;
}

/** The gateways of some organisations with what a fleet view shows, and their devices. */
export async function fleetOf(
  sql: Sql,
  organisationIds: readonly string[],
): Promise<{ gateways: FleetGatewayRow[]; devices: FleetDeviceRow[] }> {
  const g = await sql.query<FleetGatewayRow>(
    `SELECT g.id, g.label, g.organisation_id, g.revoked_at, s.state, s.updated_at AS status_at, s.version,
            l.state AS liveness, l.since AS liveness_since,
            (SELECT max(e.received_at) FROM gateway_events e WHERE e.gateway_id = g.id) AS last_event_at,
            b.detail AS backlog, b.time AS backlog_at,
            c.time AS clock_at, c.device_id AS clock_device, c.detail AS clock_detail,
            os.settings AS org_settings, gs.settings AS own_settings,
            GREATEST(os.revision, gs.revision) AS settings_revision,
            s.settings_revision AS applied_revision, s.settings_report
       FROM gateways g
       LEFT JOIN gateway_status s ON s.gateway_id = g.id
       LEFT JOIN organisation_gateway_settings os ON os.organisation_id = g.organisation_id
       LEFT JOIN gateway_settings gs ON gs.gateway_id = g.id
       LEFT JOIN gateway_liveness l ON l.gateway_id = g.id
       LEFT JOIN LATERAL (SELECT e.detail, e.time FROM gateway_events e
                           WHERE e.gateway_id = g.id AND e.type = 'outbox_backlog'
                           ORDER BY e.time DESC LIMIT 1) b ON true
       LEFT JOIN LATERAL (SELECT e.time, e.device_id, e.detail FROM gateway_events e
                           WHERE e.gateway_id = g.id AND e.type = 'clock_adjusted'
                           ORDER BY e.time DESC LIMIT 1) c ON true
      WHERE g.organisation_id = ANY($1::uuid[])
      ORDER BY g.organisation_id, g.id`,
    [organisationIds],
  );
  const d = await sql.query<FleetDeviceRow>(
    `SELECT d.id, d.gateway_id, d.model, d.label, d.allowed, d.last_seen,
            bt.level AS battery_level, bt.low AS battery_low, bt.at AS battery_at
       FROM devices d JOIN gateways g ON g.id = d.gateway_id
       LEFT JOIN device_battery bt ON bt.device_id = d.id
      WHERE g.organisation_id = ANY($1::uuid[])
      ORDER BY d.gateway_id, d.id`,
    [organisationIds],
  );
  return { gateways: g.rows, devices: d.rows };
}

export interface FleetHealthRow {
  state: string;
  gateways: number;
}

/**
 * The whole fleet's health for /metrics, summed over gateways (no gateway ids: they can name a
 * household): gateways by liveness, their reported versions, the latest outbox backlog each
 * reported, clock corrections in the last day, devices with a low battery.
 */
export async function fleetHealth(sql: Sql): Promise<{
  byState: FleetHealthRow[];
  versions: { version: string | null; gateways: number }[];
  backlog: { with_backlog: number; sum: number; max: number };
  clockAdjustments24h: number;
  lowBatteries: number;
}> {
  const [byState, versions, backlog, clock, battery] = await Promise.all([
    sql.query<FleetHealthRow>(
      `SELECT coalesce(l.state, 'unknown') AS state, count(*)::int AS gateways
         FROM gateways g LEFT JOIN gateway_liveness l ON l.gateway_id = g.id
        WHERE g.revoked_at IS NULL GROUP BY 1 ORDER BY 1`,
    ),
    sql.query<{ version: string | null; gateways: number }>(
      `SELECT s.version, count(*)::int AS gateways
         FROM gateways g LEFT JOIN gateway_status s ON s.gateway_id = g.id
        WHERE g.revoked_at IS NULL GROUP BY 1`,
    ),
    sql.query<{ with_backlog: number; sum: number; max: number }>(
      `SELECT count(*) FILTER (WHERE n > 0)::int AS with_backlog, coalesce(sum(n), 0)::float8 AS sum,
              coalesce(max(n), 0)::float8 AS max
         FROM (SELECT (SELECT (e.detail->>'readings')::float8 FROM gateway_events e
                        WHERE e.gateway_id = g.id AND e.type = 'outbox_backlog'
                        ORDER BY e.time DESC LIMIT 1) AS n
                 FROM gateways g WHERE g.revoked_at IS NULL) b`,
    ),
    sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM gateway_events
        WHERE type = 'clock_adjusted' AND received_at > now() - interval '24 hours'`,
    ),
    sql.query<{ n: number }>('SELECT count(*)::int AS n FROM device_battery WHERE low'),
  ]);
  return {
    byState: byState.rows,
    versions: versions.rows,
    backlog: backlog.rows[0] ?? { with_backlog: 0, sum: 0, max: 0 },
    clockAdjustments24h: clock.rows[0]?.n ?? 0,
    lowBatteries: battery.rows[0]?.n ?? 0,
  };
}
