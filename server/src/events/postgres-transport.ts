/**
 * Events between instances over PostgreSQL LISTEN/NOTIFY (issue 12). An event travels as
 * `{"v":1,"e":name,"p":payload}`, cut into frames under PostgreSQL's notification limit (a
 * commit of thousands of readings takes many frames, delivered together). Sends are queued and
 * go out in order, what queued meanwhile in one statement; while the database is unreachable
 * at most MAX_QUEUED_FRAMES wait, the rest is dropped with a warning (the live views are best
 * effort; nothing durable depends on an event).
 */
import type { Logger } from 'pino';
import { type EventChannel, MAX_NOTIFICATION_BYTES, openEventChannel } from '../storage/event-channel.ts';
import { eventListenerNames } from '../storage/repos/instances.ts';
import type { Sql } from '../storage/sql.ts';
import type { ClusterTransport } from './bus.ts';
import { type EventName, isEventName, type Json } from './domain-events.ts';
import { asciiJson, frame, Reassembly } from './frames.ts';

const MAX_QUEUED_FRAMES = 20_000;

export interface PostgresTransport extends ClusterTransport {
  /** The LISTEN connection's backend process id (tests terminate it), null while reconnecting. */
  readonly listenerPid: number | null;
}

/** Null on the embedded database: one process, no other instance to reach. */
export function postgresTransport(o: { sql: Sql; log: Logger }): PostgresTransport | null {
  if (!o.sql.dedicatedClient) return null;
  const log = o.log.child({ component: 'events' });
  const reassembly = new Reassembly();
  let channel: EventChannel | null = null;
  let seq = 0;
  let queue: string[] = [];
  let flushing: Promise<void> | null = null;
  let dropped = 0;

  const framesOf = (origin: string, name: EventName, wire: Json) =>
    frame(
      `${origin}.${(seq++).toString(36)}`,
      asciiJson(JSON.stringify({ v: 1, e: name, p: wire })),
      MAX_NOTIFICATION_BYTES,
    );

  const flush = async () => {
    while (queue.length > 0 && channel) {
      const take = queue;
      queue = [];
      try {
        await channel.notify(take);
      } catch (err) {
        log.warn({ err, frames: take.length }, 'events could not be sent to the other instances; dropped');
      }
    }
  };

  return {
    get listenerPid() {
      return channel?.listenerPid ?? null;
    },
    async peers() {
      const pid = channel?.listenerPid;
      if (!pid) return null;
      const names = await eventListenerNames(o.sql, pid);
      if (!names) return null;
      // `vitals events <origin> <schema>`, cut at 63 bytes alike for every instance of one schema.
      const prefix = 'vitals events ';
      const originOf = (n: string) => n.slice(prefix.length).split(' ')[0] ?? '';
      const suffix = (n: string) => n.slice(prefix.length + originOf(n).length);
      const own = originOf(names.own);
      return names.all.filter((n) => suffix(n) === suffix(names.own) && originOf(n) !== own).map(originOf);
    },
    async start(origin, deliver) {
      channel = await openEventChannel({
        sql: o.sql,
        log,
        applicationName: `vitals events ${origin}`,
        onReconnect: () => reassembly.clear(),
        onNotification: (n) => {
          let whole: ReturnType<Reassembly['add']>;
          try {
            if (n.startsWith(`${origin}.`)) return; // this instance's own: delivered in process already
            whole = reassembly.add(n);
          } catch (err) {
            log.warn({ err }, 'a malformed event notification was ignored');
            return;
          }
          if (!whole) return;
          let name: EventName;
          let payload: Json;
          try {
            const m = JSON.parse(whole.text) as { v?: unknown; e?: unknown; p?: Json };
            if (m.v !== 1 || !isEventName(m.e) || m.p === undefined) {
              log.debug({ event: m.e, v: m.v }, 'an event this version does not know was ignored');
              return;
            }
            name = m.e;
            payload = m.p;
          } catch (err) {
            log.warn({ err }, 'an event notification that is not JSON was ignored');
            return;
          }
          deliver(name, payload);
        },
      });
    },
    async sendIn(tx, origin, name, wire) {
      if (!channel) return;
      await channel.notify(framesOf(origin, name, wire), tx);
    },
    send(origin, name, wire) {
      if (!channel) return;
      const frames = framesOf(origin, name, wire);
      if (queue.length + frames.length > MAX_QUEUED_FRAMES) {
        if (dropped++ % 100 === 0)
          log.warn({ event: name, dropped }, 'too many events wait for the database; this one is dropped');
        return;
      }
      queue.push(...frames);
      flushing ??= flush().finally(() => {
        flushing = null;
      });
    },
    async close() {
      await flushing;
      const c = channel;
      channel = null;
      await c?.close();
    },
  };
}
