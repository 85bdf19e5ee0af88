/**
 * Which gateway a device belongs to, decided by the database inside ingest's transaction
 * (several server instances share one database). Issue 11 item 1: a device belongs to the
 * gateway (home) that registered it, and only that gateway's readings of it are stored.
 *
 * - A device never seen before is claimed by the first gateway that reports it.
 * - A device registered through the API without a gateway is claimed by the first gateway
 *   that reports it, but only by a gateway of the organisation it was registered under when
 *   that is known (`devices.organisation_id`).
 * - Any other gateway's readings of it are refused by the caller; a device that moved home is
 *   re-registered to its new gateway through the API (audited), never by ingest.
 */
import type { Sql } from '../sql.ts';

export interface DeviceClaim {
  id: string;
  /** The gateway whose readings of the device this commit holds first. */
  gatewayId: string;
  model?: string;
  /** The newest measurement time of that gateway's readings of the device. */
  lastSeen: string;
}

export interface DeviceOwner {
  /** The owning gateway after this statement; null while no gateway may claim the device. */
  gatewayId: string | null;
  allowed: boolean;
}

// `claim`: the device has no gateway yet and its organisation, if known, is the gateway's.
// `mine`: after this statement the device belongs to the claiming gateway; only then do the
// gateway's readings move the device's last-seen time and model.
const CLAIM = `(d.gateway_id IS NULL AND (d.organisation_id IS NULL OR d.organisation_id = excluded.organisation_id))`;
const MINE = `(d.gateway_id = excluded.gateway_id OR ${CLAIM})`;

/**
 * Notes the devices of a commit and returns each one's owner (one statement). Rows are written
 * in id order so that concurrent commits lock them in one order; the row lock taken here holds
 * until the commit, so a concurrent claim of the same device waits and then sees this owner.
 */
export async function claimDevices(tx: Sql, claims: DeviceClaim[]): Promise<Map<string, DeviceOwner>> {
  if (claims.length === 0) return new Map();
  const sorted = [...claims].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const r = await tx.query<{ id: string; gateway_id: string | null; allowed: boolean }>(
    `INSERT INTO devices AS d (id, gateway_id, organisation_id, model, first_seen, last_seen)
     SELECT c.id, c.gateway_id, g.organisation_id, c.model, c.seen, c.seen
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS c(id, gateway_id, model, seen, n)
       LEFT JOIN gateways g ON g.id = c.gateway_id
      ORDER BY c.n
     ON CONFLICT (id) DO UPDATE SET
       gateway_id = CASE WHEN ${CLAIM} THEN excluded.gateway_id ELSE d.gateway_id END,
       organisation_id = CASE WHEN ${CLAIM} THEN COALESCE(d.organisation_id, excluded.organisation_id)
                              ELSE d.organisation_id END,
       first_seen = CASE WHEN ${MINE} THEN COALESCE(d.first_seen, excluded.first_seen) ELSE d.first_seen END,
       last_seen = CASE WHEN ${MINE} THEN GREATEST(d.last_seen, excluded.last_seen) ELSE d.last_seen END,
       model = CASE WHEN ${MINE} THEN COALESCE(excluded.model, d.model) ELSE d.model END
     RETURNING d.id, d.gateway_id, d.allowed`,
    [
      sorted.map((c) => c.id),
      sorted.map((c) => c.gatewayId),
      sorted.map((c) => c.model ?? null),
      sorted.map((c) => c.lastSeen),
    ],
  );
  return new Map(r.rows.map((x) => [x.id, { gatewayId: x.gateway_id, allowed: x.allowed }]));
}

/**
 * Of these (device, gateway) pairs, the ones where the device belongs to another gateway, or
 * has none yet and was registered under another organisation than the gateway's: that gateway
 * may not speak for it. Devices never seen are nobody's yet and are not returned.
 */
export async function foreignDevices(
  tx: Sql,
  pairs: { deviceId: string; gatewayId: string }[],
): Promise<{ deviceId: string; gatewayId: string }[]> {
  if (pairs.length === 0) return [];
  const r = await tx.query<{ device_id: string; gateway_id: string }>(
    `SELECT p.device_id, p.gateway_id
       FROM unnest($1::text[], $2::text[]) AS p(device_id, gateway_id)
       JOIN devices d ON d.id = p.device_id
       LEFT JOIN gateways g ON g.id = p.gateway_id
      WHERE d.gateway_id IS DISTINCT FROM p.gateway_id
        AND NOT (d.gateway_id IS NULL AND (d.organisation_id IS NULL OR d.organisation_id = g.organisation_id))`,
    [pairs.map((p) => p.deviceId), pairs.map((p) => p.gatewayId)],
  );
  return r.rows.map((x) => ({ deviceId: x.device_id, gatewayId: x.gateway_id }));
}
