/** Dead letters: what ingest could not accept, with the reason and the raw payload (bounded). */
import { isUtf8 } from 'node:buffer';
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

/**
 * Text PostgreSQL can hold: NUL (U+0000) spelled as the six characters `\u0000`. Reasons and
 * names may quote what a gateway sent; recording a dead letter must never fail a commit.
 */
const storable = (s: string) => s.replaceAll('\u0000', '\\u0000');

/**
 * A payload as text: kept as it came when it is UTF-8 without NUL, otherwise as `hex:` and
 * its bytes (PostgreSQL text holds neither NUL nor invalid UTF-8), so nothing is lost silently.
 */
export function deadLetterPayload(payload: string | Uint8Array): { text: string; size: number } {
  const buf = Buffer.from(payload);
  const text =
    buf.includes(0) || !isUtf8(buf)
      ? `hex:${buf.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT / 2).toString('hex')}`
      : buf.subarray(0, DEAD_LETTER_PAYLOAD_LIMIT).toString('utf8');
  return { text, size: buf.length };
}

export async function recordDeadLetters(sql: Sql, letters: DeadLetter[]) {
  if (letters.length === 0) return;
  const texts = letters.map((l) => deadLetterPayload(l.payload));
  const optional = (s: string | undefined) => (s === undefined ? null : storable(s));
  await sql.query(
    `INSERT INTO dead_letters (gateway_id, topic, batch_id, reason, payload, payload_bytes)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])`,
    [
      letters.map((l) => optional(l.gatewayId)),
      letters.map((l) => optional(l.topic)),
      letters.map((l) => optional(l.batchId)),
      letters.map((l) => storable(l.reason.slice(0, 4000))),
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

/**
 * Dead letters of the gateways of these organisations, newest first. Letters with no known gateway
 * (a topic no registered gateway owns) belong to no organisation: they are for the operator, who
 * reads the table itself.
 */
export async function listDeadLetters(
  sql: Sql,
  opts: { organisationIds: readonly string[]; limit: number; before?: number },
) {
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
      WHERE ($2::bigint IS NULL OR id < $2)
        AND gateway_id IN (SELECT id FROM gateways WHERE organisation_id = ANY($3::uuid[]))
      ORDER BY id DESC LIMIT $1`,
    [opts.limit, opts.before ?? null, opts.organisationIds],
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

/** Dead letters kept now (metrics). */
export async function deadLetterCount(sql: Sql): Promise<number> {
  const r = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters');
  return r.rows[0]!.n;
}
