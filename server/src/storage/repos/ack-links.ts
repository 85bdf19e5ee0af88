/** Acknowledgement links already used (each link acknowledges once). */
import type { Sql } from '../sql.ts';

/** Records a link's nonce as used; false when it was used before. */
export async function useAckNonce(
  sql: Sql,
  nonce: string,
  alertId: string,
  userId: string,
  at: Date,
  ip?: string,
): Promise<boolean> {
  const r = await sql.query(
    'INSERT INTO alert_ack_links_used (nonce, alert_id, user_id, used_at, ip) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING',
    [nonce, alertId, userId, at, ip ?? null],
  );
  return r.rowCount === 1;
}
