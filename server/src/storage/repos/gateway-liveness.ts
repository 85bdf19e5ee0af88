/** Whether each gateway is online, since when, and when it was last heard from. */
import type { Sql } from '../sql.ts';

export async function setGatewayLiveness(
  sql: Sql,
  gatewayId: string,
  state: 'online' | 'offline',
  at: Date,
): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO gateway_liveness (gateway_id, state, since, last_seen_at) VALUES ($1,$2,$3,$3)
     ON CONFLICT (gateway_id) DO UPDATE SET state = excluded.state, since = excluded.since
     WHERE gateway_liveness.state <> excluded.state`,
    [gatewayId, state, at],
  );
  if (state === 'online') await heardFrom(sql, [gatewayId], at);
  return r.rowCount === 1;
}

/** Notes traffic from these gateways; returns those of them that were offline. */
export async function heardFrom(sql: Sql, gatewayIds: string[], at: Date): Promise<string[]> {
  if (gatewayIds.length === 0) return [];
  const r = await sql.query<{ gateway_id: string; state: string }>(
    `UPDATE gateway_liveness SET last_seen_at = GREATEST(last_seen_at, $2)
      WHERE gateway_id = ANY($1::text[]) RETURNING gateway_id, state`,
    [gatewayIds, at],
  );
  return r.rows.filter((x) => x.state === 'offline').map((x) => x.gateway_id);
}

/** Online gateways not heard from since `before` go offline as of their last message. */
export async function silentGatewaysOffline(sql: Sql, before: Date): Promise<{ gateway_id: string; since: Date }[]> {
  const r = await sql.query<{ gateway_id: string; since: Date }>(
    `UPDATE gateway_liveness SET state = 'offline', since = last_seen_at
      WHERE state = 'online' AND last_seen_at < $1 RETURNING gateway_id, since`,
    [before],
  );
  return r.rows;
}

export async function gatewayLiveness(sql: Sql) {
  const r = await sql.query<{ gateway_id: string; state: 'online' | 'offline'; since: Date }>(
    'SELECT * FROM gateway_liveness',
  );
  return r.rows;
}
