/** Dead letters: what ingest could not accept, with the reason and the raw payload (bounded). */
import type { Sql } from '../sql.ts';

/** Payloads are kept up to this many bytes; `payload_bytes` records the full size. */
export const DEAD_LETTER_PAYLOAD_LIMIT = 64 * 1024;
/** The table keeps at most this many rows; the oldest are pruned. */
export const DEAD_LETTER_ROW_LIMIT = 100_000;

export interface DeadLetter {
  gatewayId?: string;
  topic?: string;
  batchId?: string;
  reason: string;
  payload: string | Uint8Array;
}

export async function recordDeadLetters(sql: Sql, letters: DeadLetter[]) {
  if (letters.length === 0) return;
  const texts = letters.map((l) => {
    const buf = Buffer.from(l.payload);
    // Postgres text cannot hold NUL; such payloads are kept as hex so nothing is lost silently.
    const text = buf.includes(0)
      ? `hex:${buf.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT / 2).toString('hex')}`
      : buf.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT).toString('utf8');
    return { text, size: buf.length };
  });
  await sql.query(
    `INSERT INTO dead_letters (gateway_id, topic, batch_id, reason, payload, payload_bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`,
    [
      letters.map((l) => l.gatewayId ?? null),
      letters.map((l) => l.topic ?? null),
      letters.map((l) => l.batchId ?? null),
      letters.map((l) => l.reason),
      texts.map((t) => t.text),
      texts.map((t) => t.size),
    ],
  );
}

export async function pruneDeadLetters(sql: Sql, keep = DEAD_LETTER_ROW_LIMIT) {
  await sql.query(
    `DELETE FROM dead_letters WHERE id <= (SELECT id FROM dead_letters ORDER BY id DESC OFFSET $1 LIMIT 1)`,
    [keep],
  );
}

export async function listDeadLetters(sql: Sql, opts: { limit: number; before?: number }) {
  const r = await sql.query<{
    id: number;
    received_at: Date;
    gateway_id: string | null;
    topic: string | null;
    batch_id: string | null;
    reason: string;
    payload: string;
    payload_bytes: number;
  }>(
    `SELECT id, received_at, gateway_id, topic, batch_id, reason, payload, payload_bytes FROM dead_letters
      WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
    [opts.limit, opts.before ?? null],
  );
  return r.rows.map((d) => ({
    id: d.id,
    receivedAt: d.received_at.toISOString(),
    ...(d.gateway_id ? { gatewayId: d.gateway_id } : {}),
    ...(d.topic ? { topic: d.topic } : {}),
    ...(d.batch_id ? { batchId: d.batch_id } : {}),
    reason: d.reason,
    payload: d.payload,
    payloadBytes: d.payload_bytes,
  }));
}
