/**
 * The domain event bus (issue 12): publishers do not know their subscribers, and every
 * subscriber says how far it listens.
 *
 * - `local`: events published by this process only. Work that must happen once per event in
 *   the whole deployment hangs here: the alert rules judge the readings this instance ingested,
 *   and its TimescaleDB arrival log notes them. Another instance's readings are judged there.
 * - `cluster`: events published by any instance on the same database (this one included, once).
 *   Views hang here: a browser connected to instance B sees what instance A ingested.
 *
 * Delivery to subscribers in this process is synchronous, in subscription order; a handler
 * that throws or rejects is logged and never reaches the publisher. A cluster transport
 * carries events to other instances (best effort: an instance whose connection to the
 * transport is down misses what was published meanwhile).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Sql } from '../storage/sql.ts';
import { type DomainEvents, type EventName, eventCodecs, type Json } from './domain-events.ts';

export type Scope = 'local' | 'cluster';

export type EventHandler<K extends EventName> = (payload: DomainEvents[K]) => void | Promise<void>;

export interface EventBus {
  /**
   * Publishes now, or with `tx` once that transaction committed (never when it rolls back), so
   * no subscriber hears of what was not written.
   */
  publish<K extends EventName>(
    name: K,
    payload: DomainEvents[K],
    opts?: { tx?: Pick<Sql, 'afterCommit'>; sentToCluster?: boolean },
  ): void;
  /**
   * Sends the event to the other instances inside `tx` (issue 18): PostgreSQL delivers a
   * notification if and only if its transaction commits, so an instance killed between its
   * commit and an after-commit send cannot keep the event from the others. This process's
   * subscribers hear it from `publish(name, payload, { sentToCluster: true })` after the commit.
   * Resolves false (nothing sent) without a transport that can send in a transaction.
   */
  sendInTransaction<K extends EventName>(tx: Sql, name: K, payload: DomainEvents[K]): Promise<boolean>;
  /**
   * The other instances on this database alive now, by their bus origin (PostgreSQL: the event
   * listeners in pg_stat_activity), or null: a single process, or the transport cannot tell now.
   */
  peers(): Promise<string[] | null>;
  /** Returns the function that ends the subscription. */
  subscribe<K extends EventName>(name: K, handler: EventHandler<K>, opts: { scope: Scope }): () => void;
  close(): Promise<void>;
}

/** What carries encoded events between instances. */
export interface ClusterTransport {
  /** Sends an event to the other instances; never throws (failures are the transport's to log). */
  send(origin: string, name: EventName, wire: Json): void;
  /** Sends an event inside a transaction, delivered when (and only if) it commits; may throw (the transaction fails). */
  sendIn?(tx: Sql, origin: string, name: EventName, wire: Json): Promise<void>;
  /** The other instances alive now (their origins), or null when the transport cannot tell at the moment. */
  peers?(): Promise<string[] | null>;
  /** Starts handing over what other instances sent (the transport drops the events `origin` sent). */
  start(origin: string, deliver: (name: EventName, wire: Json) => void): Promise<void>;
  close(): Promise<void>;
}

export interface EventBusOptions {
  log: Logger;
  /** Absent: a single process (the embedded database), where local and cluster are the same. */
  transport?: ClusterTransport;
}

type AnyHandler = (payload: unknown) => void | Promise<void>;

export async function createEventBus(o: EventBusOptions): Promise<EventBus> {
  const origin = randomBytes(6).toString('hex');
  const handlers: Record<Scope, Map<EventName, Set<AnyHandler>>> = { local: new Map(), cluster: new Map() };
  let closed = false;

  const run = (name: EventName, scope: Scope, payload: unknown) => {
    for (const h of handlers[scope].get(name) ?? []) {
      try {
        const r = h(payload);
        if (r instanceof Promise)
          r.catch((err: unknown) => o.log.error({ err, event: name }, 'an event subscriber failed'));
      } catch (err) {
        o.log.error({ err, event: name }, 'an event subscriber failed');
      }
    }
  };

  await o.transport?.start(origin, (name, wire) => {
    if (closed) return;
    let payload: unknown;
    try {
      payload = eventCodecs[name].decode(wire);
    } catch (err) {
      o.log.warn({ err, event: name }, 'an event from another instance could not be read; ignored');
      return;
    }
    o.log.debug({ event: name }, 'event heard from another instance');
    run(name, 'cluster', payload);
  });

  const publishNow = <K extends EventName>(name: K, payload: DomainEvents[K], sentToCluster = false) => {
    if (closed) return;
    run(name, 'local', payload);
    run(name, 'cluster', payload);
    if (o.transport && !sentToCluster) {
      let wire: Json;
      try {
        wire = eventCodecs[name].encode(payload);
      } catch (err) {
        o.log.error({ err, event: name }, 'an event could not be encoded for the other instances');
        return;
      }
      o.transport.send(origin, name, wire);
    }
  };

  return {
    publish(name, payload, opts) {
      const sent = opts?.sentToCluster === true;
      if (opts?.tx?.afterCommit) opts.tx.afterCommit(() => publishNow(name, payload, sent));
      else publishNow(name, payload, sent);
    },
    async peers() {
      if (closed || !o.transport?.peers) return null;
      return o.transport.peers();
    },
    async sendInTransaction(tx, name, payload) {
      if (closed || !o.transport?.sendIn) return false;
      await o.transport.sendIn(tx, origin, name, eventCodecs[name].encode(payload));
      return true;
    },
    subscribe(name, handler, { scope }) {
      const byName = handlers[scope];
      let set = byName.get(name);
      if (!set) {
        set = new Set();
        byName.set(name, set);
      }
      // A handler subscribed twice is two subscriptions.
      const h: AnyHandler = (p) => handler(p as never);
      set.add(h);
      return () => {
        set.delete(h);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await o.transport?.close();
    },
  };
}
