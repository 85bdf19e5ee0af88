/**
 * PostgreSQL LISTEN/NOTIFY for the domain event bus (issue 12). One channel per schema: the
 * instances of a deployment share it, and test schemas on one database never hear each other.
 * One dedicated connection listens and is re-established when lost; notifications go out on
 * the pool, those of one call in one statement, so they are delivered together and in order
 * (PostgreSQL delivers a transaction's notifications in order and never interleaves them with
 * another transaction's: NOTIFY, "Notes").
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Sql } from './sql.ts';

/** PostgreSQL refuses a notification payload of 8000 bytes or more (NOTIFY, "payload"). */
export const MAX_NOTIFICATION_BYTES = 7999;

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface EventChannel {
  /**
   * Sends the payloads (each under MAX_NOTIFICATION_BYTES), delivered together and in this order;
   * with `tx`, inside that transaction (delivered at its commit, never when it rolls back).
   */
  notify(payloads: readonly string[], tx?: Sql): Promise<void>;
  /** The listening connection's backend process id, or null while it is being re-established. */
  readonly listenerPid: number | null;
  close(): Promise<void>;
}

export interface EventChannelOptions {
  sql: Sql;
  log: Logger;
  onNotification(payload: string): void;
  /** The listening connection came back: whatever was sent while it was down was not heard. */
  onReconnect?(): void;
  /**
   * The listening connection's application name (pg_stat_activity), the schema appended:
   * `vitals events <instance>` lets the instances see which of them listen (instancesListening).
   */
  applicationName?: string;
}

/** Opens the channel on a PostgreSQL server; null on the embedded database (one process, nobody to tell). */
export async function openEventChannel(o: EventChannelOptions): Promise<EventChannel | null> {
  const dedicatedClient = o.sql.dedicatedClient?.bind(o.sql);
  if (!dedicatedClient) return null;
  const schema = (await o.sql.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
  // A channel name is an identifier: at most 63 bytes (NAMEDATALEN - 1).
  const named = `vitals_events ${schema}`;
  const channel =
    Buffer.byteLength(named) <= 63
      ? named
      : `vitals_events ${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
  const listenSql = `LISTEN "${channel.replaceAll('"', '""')}"`;

  let client: pg.Client | null = null;
  let pid: number | null = null;
  let closed = false;
  let delay = RECONNECT_MIN_MS;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = await dedicatedClient(o.applicationName ?? 'vitals events');
    try {
      c.on('notification', (m) => {
        if (m.channel === channel && m.payload !== undefined) o.onNotification(m.payload);
      });
      c.on('error', (err) => lost(c, err));
      c.on('end', () => lost(c));
      await c.query(listenSql);
      const p = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      if (closed) throw new Error('the event channel was closed');
      client = c;
      pid = p;
    } catch (e) {
      await c.end().catch(() => {});
      throw e;
    }
  };

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return;
    client = null;
    pid = null;
    void c.end().catch(() => {});
    if (closed) return;
    o.log.warn({ err }, 'event listener lost its database connection; reconnecting (events meanwhile are missed)');
    schedule();
  };

  const schedule = () => {
    timer = setTimeout(() => {
      connect().then(
        () => {
          delay = RECONNECT_MIN_MS;
          o.log.info('event listener reconnected');
          o.onReconnect?.();
        },
        (err: unknown) => {
          if (closed) return;
          o.log.debug({ err }, 'event listener reconnect failed; retrying');
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
          schedule();
        },
      );
    }, delay);
    timer.unref();
  };

  await connect();
  return {
    async notify(payloads, tx) {
      if (payloads.length === 0) return;
      await (tx ?? o.sql).query(
        'SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u(p, i) ORDER BY i',
        [channel, payloads],
      );
    },
    get listenerPid() {
      return pid;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = null;
      pid = null;
      await c?.end().catch(() => {});
    },
  };
}
