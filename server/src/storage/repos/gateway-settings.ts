/**
 * Remote gateway settings (migration 019): an organisation's default for its gateways and each
 * gateway's overrides. Each change takes a new revision from one sequence; the revision a
 * gateway must apply is the greater of its organisation's and its own.
 */
import type { GatewaySettingValues } from '@vitals/contract';
import type { Sql } from '../sql.ts';

export interface StoredSettings {
  settings: GatewaySettingValues;
  revision: number;
  updatedAt: Date;
}

interface SettingsRow {
  settings: GatewaySettingValues;
  revision: string;
  updated_at: Date;
}

const stored = (r: SettingsRow | undefined): StoredSettings | undefined =>
  r ? { settings: r.settings, revision: Number(r.revision), updatedAt: r.updated_at } : undefined;

/** Replaces the settings row of `table` keyed by `key`, with the next revision of the one sequence. */
async function replaceSettings(
  sql: Sql,
  table: 'organisation_gateway_settings' | 'gateway_settings',
  key: string,
  settings: GatewaySettingValues,
  userId: string,
): Promise<StoredSettings> {
  const column = table === 'gateway_settings' ? 'gateway_id' : 'organisation_id';
  const r = await sql.query<SettingsRow>(
    `INSERT INTO ${table} (${column}, settings, revision, updated_by)
     VALUES ($1, $2, nextval('gateway_settings_revision'), $3)
     ON CONFLICT (${column}) DO UPDATE SET settings = excluded.settings, revision = excluded.revision,
       updated_at = now(), updated_by = excluded.updated_by
     RETURNING settings, revision, updated_at`,
    [key, JSON.stringify(settings), userId],
  );
  return stored(r.rows[0])!;
}

/** Replaces an organisation's default settings for its gateways; returns the new revision. */
export function setOrganisationGatewaySettings(
  sql: Sql,
  organisationId: string,
  settings: GatewaySettingValues,
  userId: string,
): Promise<StoredSettings> {
  return replaceSettings(sql, 'organisation_gateway_settings', organisationId, settings, userId);
}

/** Replaces a gateway's own overrides (an empty object inherits everything); returns the new revision. */
export function setGatewaySettings(
  sql: Sql,
  gatewayId: string,
  settings: GatewaySettingValues,
  userId: string,
): Promise<StoredSettings> {
  return replaceSettings(sql, 'gateway_settings', gatewayId, settings, userId);
}

export async function organisationGatewaySettings(sql: Sql, organisationId: string) {
  const r = await sql.query<SettingsRow>(
    'SELECT settings, revision, updated_at FROM organisation_gateway_settings WHERE organisation_id = $1',
    [organisationId],
  );
  return stored(r.rows[0]);
}

/**
 * What a gateway must apply: its organisation's default overlaid with its own settings, and the
 * revision of that combination; undefined when neither was ever set.
 */
export async function effectiveGatewaySettings(
  sql: Sql,
  gatewayId: string,
): Promise<{ settings: GatewaySettingValues; revision: number } | undefined> {
  const r = await sql.query<{
    org: GatewaySettingValues | null;
    own: GatewaySettingValues | null;
    revision: string | null;
  }>(
    `SELECT o.settings AS org, s.settings AS own, GREATEST(o.revision, s.revision) AS revision
       FROM gateways g
       LEFT JOIN organisation_gateway_settings o ON o.organisation_id = g.organisation_id
       LEFT JOIN gateway_settings s ON s.gateway_id = g.id
      WHERE g.id = $1`,
    [gatewayId],
  );
  const row = r.rows[0];
  if (!row || row.revision === null) return undefined;
  return { settings: { ...(row.org ?? {}), ...(row.own ?? {}) }, revision: Number(row.revision) };
}

/** The gateways (not revoked) of an organisation, to republish their config after its default changed. */
export async function activeGatewayIdsOf(sql: Sql, organisationId: string): Promise<string[]> {
  const r = await sql.query<{ id: string }>(
    'SELECT id FROM gateways WHERE organisation_id = $1 AND revoked_at IS NULL ORDER BY id',
    [organisationId],
  );
  return r.rows.map((g) => g.id);
}
