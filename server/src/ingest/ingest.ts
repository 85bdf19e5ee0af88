/**
 * Ingest: validate -> resolve bindings -> write -> ack. Batches from many gateways are
 * coalesced into one transaction; the contract's `ack` for a batch is published only after
 * that transaction committed. While the database is down nothing is acknowledged, a bounded
 * buffer holds what arrived, and gateways re-send the rest from their outboxes.
 */
import {
  type BatchAck,
  type GatewayEvent,
  type GatewayStatus,
  isIsoTime,
  type Metric,
  nulField,
  nulProblem,
  parseTopic,
  type Reading,
  type TimeWindow,
  topicFor,
  validateBatchPayload,
} from '@vitals/contract';
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import type { ReadingsStored } from '../events/domain-events.ts';
import { classifyDatabaseError, DatabaseErrorKind } from '../storage/db-errors.ts';
import { type DeadLetter, pruneDeadLetters, recordDeadLetters } from '../storage/repos/dead-letters.ts';
import { recordGatewayEvent, recordGatewayStatus } from '../storage/repos/gateways.ts';
import { findConflicts, type IncomingReading, insertReadings, recordConflicts } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';
import { admitByDevice, admitEvents, type RefusedReading } from './device-ownership.ts';

export interface IngestOptions {
  sql: Sql;
  log: Logger;
  /**
   * After each commit ingest publishes `readings.stored` (the rows actually inserted, re-sent
   * ids left out, in measurement-time order per device), then `gateway.status` and
   * `gateway.event` for what it recorded.
   */
  events: EventBus;
  /** Publishes a server → gateway message (QoS 1). */
  publish(topic: string, payload: string): Promise<void>;
  /** Readings held in memory at most; beyond it new batches are refused (not acked). */
  maxBufferedReadings?: number;
  /**
   * Transactions in flight at once (default 1). Two pay off on a database server; an embedded
   * database runs one statement at a time anyway.
   */
  concurrency?: number;
  /** Readings written per transaction at most. */
  maxReadingsPerCommit?: number;
  /** How far ahead of the server's clock a reading's time may be (default 600 s); later ones are refused. */
  maxClockSkewSeconds?: number;
  /** Readings dated before this (epoch ms; default 2015-01-01) are refused: a reset clock. */
  earliestReadingTime?: number;
  /** The earliest measurement time still kept raw per metric (retention); older readings are refused. */
  keptSince?: (metric: Metric, now: number) => number | null;
  /** Seconds from a readings batch's arrival to its commit and ack (metrics). */
  observeAckLatency?: (seconds: number) => void;
}

/** The gateway re-stamps device times before this with its own clock (gateway/src/pipeline/wire-readings.ts). */
export const DEFAULT_EARLIEST_READING_TIME = Date.parse('2015-01-01T00:00:00Z');

interface Message {
  gatewayId: string;
  topic: string;
  suffix: 'readings' | 'status' | 'events';
  payload: Buffer;
  size: number; // readings it may hold (an estimate before validation)
  receivedAt: number;
  /** Called once the message is committed (or refused): an external broker's PUBACK waits for it. */
  done?: () => void;
}

export class Ingest {
  private readonly queue: Message[] = [];
  private buffered = 0;
  /** Commit loops running now; more than one overlaps parsing with a database round trip. */
  private workers = 0;
  private stopped = false;
  private dbError: string | null = null;
  private retryDelay = 100;
  private lastPrune = 0;
  private idle: (() => void)[] = [];
  readonly stats = { batches: 0, accepted: 0, duplicates: 0, rejected: 0, refused: 0, deadLetters: 0 };
  private readonly maxBuffered: number;
  private readonly maxPerCommit: number;
  private readonly concurrency: number;

  constructor(private readonly o: IngestOptions) {
    this.maxBuffered = o.maxBufferedReadings ?? 200_000;
    this.maxPerCommit = o.maxReadingsPerCommit ?? 5_000;
    this.concurrency = o.concurrency ?? 1;
  }

  /** Hands a message published by a gateway to ingest. Never throws. */
  submit(topic: string, payload: Buffer, done?: () => void): void {
    const t = parseTopic(topic);
    if (!t || t.suffix === 'config' || t.suffix === 'ack') {
      done?.();
      return;
    }
    const size = t.suffix === 'readings' ? Math.max(1, Math.ceil(payload.length / 200)) : 1;
    if (this.buffered + size > this.maxBuffered || this.stopped) {
      // Not acknowledged: the gateway keeps the batch in its outbox and sends it again later.
      this.stats.refused++;
      this.o.log.warn({ gatewayId: t.gatewayId, buffered: this.buffered }, 'ingest buffer full; batch refused');
      done?.();
      return;
    }
    this.queue.push({
      gatewayId: t.gatewayId,
      topic,
      suffix: t.suffix,
      payload,
      size,
      receivedAt: Date.now(),
      ...(done ? { done } : {}),
    });
    this.buffered += size;
    this.kick();
  }

  /** Null when healthy, otherwise what is wrong. */
  problem(): string | null {
    if (this.dbError) return `database unavailable: ${this.dbError}`;
    if (this.buffered > this.maxBuffered * 0.9) return `ingest buffer nearly full (${this.buffered} readings)`;
    return null;
  }

  get backlog(): number {
    return this.buffered;
  }

  /** Resolves when everything submitted so far has been processed. */
  async drained(): Promise<void> {
    if (this.workers === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.workers > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private kick() {
    while (!this.stopped && this.workers < this.concurrency && this.queue.length > 0) {
      this.workers++;
      void this.loop();
    }
  }

  private async loop() {
    try {
      while (this.queue.length > 0 && !this.stopped) {
        // Let pending socket reads run first: an embedded database works on this thread and
        // would otherwise leave arrived batches unread until the queue ran dry (many small
        // commits instead of a few large ones).
        await new Promise<void>((r) => setImmediate(r));
        const take: Message[] = [];
        let n = 0;
        while (this.queue.length > 0 && (take.length === 0 || n + this.queue[0]!.size <= this.maxPerCommit)) {
          const m = this.queue.shift()!;
          take.push(m);
          n += m.size;
        }
        try {
          try {
            await this.process(take);
          } catch (e) {
            if (!isDataError(e)) throw e;
            this.o.log.warn({ err: e, messages: take.length }, 'the database refused data of a commit; isolating it');
            await this.isolate(take, e);
          }
          this.buffered -= n;
          for (const m of take) m.done?.();
          if (this.dbError) this.o.log.info('database reachable again; ingest resumed');
          this.dbError = null;
          this.retryDelay = 100;
        } catch (e) {
          // Unavailable (database down or slow): put the messages back in order, wait, retry.
          this.queue.unshift(...take);
          const msg = (e as Error).message;
          if (this.dbError !== msg) this.o.log.error({ err: e }, 'ingest commit failed; will retry');
          this.dbError = msg;
          await new Promise((r) => setTimeout(r, this.retryDelay));
          this.retryDelay = Math.min(this.retryDelay * 2, 5_000);
        }
      }
    } finally {
      this.workers--;
      if (this.workers === 0) for (const f of this.idle.splice(0)) f();
    }
  }

  /**
   * The database refused data of a commit (issue 11, item 2): commits halves until the
   * message at fault stands alone, and within a batch finds the readings at fault by trial
   * transactions that are rolled back. What the database refused becomes a dead letter with
   * its reason; everything else is committed and acknowledged. Throws (so the caller retries)
   * when the database turns out to be unavailable instead.
   */
  private async isolate(messages: Message[], err: unknown): Promise<void> {
    if (messages.length > 1) {
      const half = Math.ceil(messages.length / 2);
      for (const part of [messages.slice(0, half), messages.slice(half)]) {
        try {
          await this.process(part);
        } catch (e) {
          if (!isDataError(e)) throw e;
          await this.isolate(part, e);
        }
      }
      return;
    }
    const m = messages[0]!;
    const v = m.suffix === 'readings' ? validateBatchPayload(m.payload) : undefined;
    const ids = v?.ok ? [...new Set(v.readings.map((r) => r.id))] : [];
    const refused = ids.length > 0 ? await this.refusedReadings(m, ids) : new Map<string, string>();
    const isolation: Isolation =
      refused.size > 0 ? { readings: refused } : { messages: new Map([[m, databaseRefusal(err)]]) };
    try {
      await this.process([m], isolation);
    } catch (e) {
      if (!isDataError(e)) throw e;
      try {
        // The batch fails as a whole though no reading does alone: keep the message itself.
        if (isolation.messages) throw e;
        await this.process([m], { messages: new Map([[m, databaseRefusal(e)]]) });
      } catch (e2) {
        if (!isDataError(e2)) throw e2;
        // Not even its dead letter can be stored: dropping it is the only way to let the rest through.
        this.o.log.error(
          { err: e2, gatewayId: m.gatewayId, topic: m.topic },
          'message dropped: the database refuses even its dead letter',
        );
        return;
      }
    }
    this.o.log.warn(
      { gatewayId: m.gatewayId, topic: m.topic, readings: refused.size, err },
      'the database refused part of a message; kept as dead letters, the rest committed',
    );
  }

  /** The readings of a batch the database refuses, with its reason, found by bisection. */
  private async refusedReadings(m: Message, ids: string[]): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    const search = async (part: string[]) => {
      try {
        await this.process([m], { trial: new Set(part) });
      } catch (e) {
        if (e === TRIAL_PASSED) return;
        if (!isDataError(e)) throw e;
        if (part.length === 1) {
          refused.set(part[0]!, databaseRefusal(e));
          return;
        }
        const half = Math.ceil(part.length / 2);
        await search(part.slice(0, half));
        await search(part.slice(half));
      }
    };
    await search(ids);
    return refused;
  }

  /** A transaction; a trial one is rolled back and ends in TRIAL_PASSED instead of a result. */
  private async transaction<T>(trial: boolean, fn: (tx: Sql) => Promise<T>): Promise<T> {
    if (!trial) return this.o.sql.transaction(fn);
    await this.o.sql.transaction(async (tx) => {
      await fn(tx);
      throw TRIAL_PASSED;
    });
    throw TRIAL_PASSED;
  }

  private async process(messages: Message[], isolation: Isolation = {}) {
    const readings: IncomingReading[] = [];
    const dead: DeadLetter[] = [];
    const acks: { gatewayId: string; batchId: string; ids: string[]; rejected: BatchAck['rejected'] }[] = [];
    const statuses: { gatewayId: string; status: Partial<GatewayStatus> }[] = [];
    const events: { gatewayId: string; event: GatewayEvent }[] = [];

    for (const m of messages) {
      const refused = isolation.messages?.get(m);
      if (refused !== undefined)
        dead.push({ gatewayId: m.gatewayId, topic: m.topic, reason: refused, payload: m.payload });
      else if (m.suffix === 'readings') this.prepareBatch(m, readings, dead, acks);
      else if (m.suffix === 'status') {
        const s = parseJson(m.payload);
        const nul = nulField(s);
        if (
          isObject(s) &&
          !nul &&
          (s.state === 'online' || s.state === 'offline') &&
          (s.time === undefined || isIsoTime(s.time))
        )
          statuses.push({ gatewayId: m.gatewayId, status: s as Partial<GatewayStatus> });
        else
          dead.push({
            gatewayId: m.gatewayId,
            topic: m.topic,
            reason: nul
              ? `status ${nulProblem(nul)}`
              : 'status must be {"state":"online"|"offline","time": ISO time (or left out),...}',
            payload: m.payload,
          });
      } else {
        const e = parseJson(m.payload);
        const nul = nulField(e);
        if (isObject(e) && !nul && typeof e.type === 'string' && isIsoTime(e.time))
          events.push({ gatewayId: m.gatewayId, event: e as unknown as GatewayEvent });
        else
          dead.push({
            gatewayId: m.gatewayId,
            topic: m.topic,
            reason: nul ? `event ${nulProblem(nul)}` : 'event must be {"time": ISO time, "type": string, ...}',
            payload: m.payload,
          });
      }
    }
    if (isolation.trial)
      readings.splice(0, readings.length, ...readings.filter((r) => isolation.trial!.has(r.reading.id)));
    if (isolation.readings) dead.push(...takeRefused(readings, acks, isolation.readings).map(refusedDeadLetter));

    let arrivedAt = Number.POSITIVE_INFINITY;
    for (const m of messages) if (m.suffix === 'readings' && m.receivedAt < arrivedAt) arrivedAt = m.receivedAt;
    const trial = isolation.trial !== undefined;
    const inserted = await this.transaction(trial, async (tx) => {
      const admission = await admitByDevice(tx, readings, new Date());
      const rows = await insertReadings(tx, admission.admitted);
      const insertedIds = new Set(rows.map((r) => r.id));
      // A repeat of an id within the commit is checked against its first occurrence, like a
      // re-send against the stored reading (issue 11 item 12).
      const first = new Map<string, IncomingReading>();
      for (const r of admission.admitted) if (!first.has(r.reading.id)) first.set(r.reading.id, r);
      const resent = admission.admitted.filter((r) => !insertedIds.has(r.reading.id) || first.get(r.reading.id) !== r);
      const conflicts = await findConflicts(tx, resent);
      await recordConflicts(tx, conflicts);
      const gatewayEvents = await admitEvents(tx, events);
      await recordDeadLetters(tx, [...dead, ...admission.refused.map(refusedDeadLetter), ...gatewayEvents.dead]);
      for (const e of admission.events) await recordGatewayEvent(tx, e.gatewayId, e.event);
      for (const s of statuses) await recordGatewayStatus(tx, s.gatewayId, s.status);
      for (const e of gatewayEvents.admitted) await recordGatewayEvent(tx, e.gatewayId, e.event);
      // The other instances' live views hear of the rows with the commit itself (issue 18: an
      // instance killed right after its commit leaves no stored reading unannounced).
      const stored: ReadingsStored = { rows, ...(Number.isFinite(arrivedAt) ? { arrivedAt } : {}) };
      const sentToCluster =
        rows.length > 0 && !trial && (await this.o.events.sendInTransaction(tx, 'readings.stored', stored));
      return { rows, stored, sentToCluster, insertedIds, refused: admission.refused, events: gatewayEvents };
    });

    // Committed: now, and only now, acknowledge.
    refuseInAcks(acks, inserted.refused, this.o.log);
    const seen = new Set<string>();
    for (const a of acks) {
      let accepted = 0;
      let duplicates = 0;
      for (const id of a.ids) {
        if (inserted.insertedIds.has(id) && !seen.has(id)) accepted++;
        else duplicates++;
        seen.add(id);
      }
      const ack: BatchAck = { v: 1, batchId: a.batchId, accepted, duplicates, rejected: a.rejected };
      this.stats.batches++;
      this.stats.accepted += accepted;
      this.stats.duplicates += duplicates;
      this.stats.rejected += a.rejected.length;
      this.o
        .publish(topicFor(a.gatewayId, 'ack'), JSON.stringify(ack))
        .catch((e) => this.o.log.warn({ err: e, batchId: a.batchId }, 'ack publish failed; the gateway will re-send'));
    }
    this.stats.deadLetters += dead.length + inserted.refused.length + inserted.events.dead.length;
    if (this.o.observeAckLatency)
      for (const m of messages)
        if (m.suffix === 'readings') this.o.observeAckLatency((Date.now() - m.receivedAt) / 1000);
    for (const d of inserted.events.dead)
      this.o.log.warn({ gatewayId: d.gatewayId, reason: d.reason }, 'event refused');
    for (const s of statuses) this.o.events.publish('gateway.status', s);
    for (const e of inserted.events.admitted) this.o.events.publish('gateway.event', e);
    if (inserted.rows.length > 0)
      this.o.events.publish('readings.stored', inserted.stored, { sentToCluster: inserted.sentToCluster });

    if (dead.length > 0 && Date.now() - this.lastPrune > 60_000) {
      this.lastPrune = Date.now();
      await pruneDeadLetters(this.o.sql).catch((e) => this.o.log.warn({ err: e }, 'dead-letter pruning failed'));
    }
  }

  /** The plausible measurement times now; observations the team records are held to them too. */
  timeWindow(now: number): TimeWindow {
    return {
      now,
      maxAheadMs: (this.o.maxClockSkewSeconds ?? 600) * 1000,
      earliest: this.o.earliestReadingTime ?? DEFAULT_EARLIEST_READING_TIME,
      ...(this.o.keptSince ? { keptSince: (metric: Metric) => this.o.keptSince!(metric, now) } : {}),
    };
  }

  private prepareBatch(
    m: Message,
    readings: IncomingReading[],
    dead: DeadLetter[],
    acks: { gatewayId: string; batchId: string; ids: string[]; rejected: BatchAck['rejected'] }[],
  ) {
    const v = validateBatchPayload(m.payload, { timeWindow: this.timeWindow(Date.now()) });
    if (!v.ok || v.batch.gatewayId !== m.gatewayId) {
      const reason = v.ok
        ? `batch.gatewayId "${v.batch.gatewayId}" differs from the topic's "${m.gatewayId}"`
        : v.error;
      const salvage = salvageIds(m.payload);
      dead.push({
        gatewayId: m.gatewayId,
        topic: m.topic,
        ...(salvage.batchId ? { batchId: salvage.batchId } : {}),
        reason,
        payload: m.payload,
      });
      this.o.log.warn({ gatewayId: m.gatewayId, reason }, 'batch rejected to dead letters');
      // Acknowledge what can be named, so a bad batch never blocks the gateway's outbox.
      if (salvage.batchId)
        acks.push({
          gatewayId: m.gatewayId,
          batchId: salvage.batchId,
          ids: [],
          rejected: salvage.ids.map((id) => ({ id, reason })),
        });
      return;
    }
    for (const r of v.rejected)
      dead.push({
        gatewayId: m.gatewayId,
        topic: m.topic,
        batchId: v.batch.batchId,
        reason: r.reason,
        payload: JSON.stringify(r.raw) ?? 'undefined',
      });
    const ids: string[] = [];
    for (const reading of v.readings) {
      readings.push({ reading: reading as Reading, gatewayId: m.gatewayId, batchId: v.batch.batchId });
      ids.push(reading.id);
    }
    acks.push({
      gatewayId: m.gatewayId,
      batchId: v.batch.batchId,
      ids,
      rejected: v.rejected.map((r) => ({ id: r.id, reason: r.reason })),
    });
  }
}

/** Moves readings refused in the transaction (their device is not the gateway's) from accepted to rejected. */
function refuseInAcks(
  acks: { gatewayId: string; batchId: string; ids: string[]; rejected: BatchAck['rejected'] }[],
  refused: RefusedReading[],
  log: Logger,
) {
  const byDevice = new Map<string, { gatewayId: string; deviceId: string; n: number }>();
  for (const { reading: r, reason } of refused) {
    const a = acks.find((x) => x.gatewayId === r.gatewayId && x.batchId === r.batchId && x.ids.includes(r.reading.id));
    if (a) {
      a.ids.splice(a.ids.indexOf(r.reading.id), 1);
      a.rejected.push({ id: r.reading.id, reason });
    }
    const key = `${r.gatewayId}|${r.reading.device.id}`;
    const d = byDevice.get(key) ?? { gatewayId: r.gatewayId, deviceId: r.reading.device.id, n: 0 };
    d.n++;
    byDevice.set(key, d);
  }
  for (const d of byDevice.values())
    log.warn(
      { gatewayId: d.gatewayId, deviceId: d.deviceId, readings: d.n },
      "readings refused: the device is not this gateway's or is blocked",
    );
}

function refusedDeadLetter({ reading: r, reason }: RefusedReading): DeadLetter {
  return {
    gatewayId: r.gatewayId,
    topic: topicFor(r.gatewayId, 'readings'),
    batchId: r.batchId,
    reason,
    payload: JSON.stringify(r.reading),
  };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** From a batch that failed validation, the batch id and reading ids that can still be named. */
function salvageIds(payload: Buffer): { batchId?: string; ids: string[] } {
  const x = parseJson(payload);
  if (!isObject(x) || typeof x.batchId !== 'string' || x.batchId.length === 0 || x.batchId.length > 200)
    return { ids: [] };
  const ids = Array.isArray(x.readings)
    ? x.readings
        .slice(0, 1000)
        .flatMap((r) => (isObject(r) && typeof r.id === 'string' && r.id.length <= 200 ? [r.id] : []))
    : [];
  return { batchId: x.batchId, ids };
}

/** How a commit is narrowed while the message at fault is isolated. */
interface Isolation {
  /** Messages kept whole as dead letters with this reason (no ack). */
  messages?: Map<Message, string>;
  /** Reading ids of a single batch refused with this reason (dead letters, named in the ack). */
  readings?: Map<string, string>;
  /** Only these reading ids are written, and the transaction is rolled back. */
  trial?: Set<string>;
}

/** Thrown out of a trial transaction that the database accepted (and that was rolled back). */
const TRIAL_PASSED = Symbol('trial transaction passed');

const isDataError = (e: unknown) => e !== TRIAL_PASSED && classifyDatabaseError(e) === DatabaseErrorKind.data;

const databaseRefusal = (e: unknown) =>
  `the database refused it: ${e instanceof Error ? e.message : String(e)}`.slice(0, 1000);

/** Takes the readings named in `refused` out of the commit and out of their batch's accepted ids. */
function takeRefused(
  readings: IncomingReading[],
  acks: { gatewayId: string; batchId: string; ids: string[]; rejected: BatchAck['rejected'] }[],
  refused: Map<string, string>,
): RefusedReading[] {
  const out: RefusedReading[] = [];
  const kept = readings.filter((r) => {
    const reason = refused.get(r.reading.id);
    if (reason === undefined) return true;
    out.push({ reading: r, reason });
    const a = acks.find((x) => x.gatewayId === r.gatewayId && x.batchId === r.batchId && x.ids.includes(r.reading.id));
    if (a) {
      a.ids.splice(a.ids.indexOf(r.reading.id), 1);
      a.rejected.push({ id: r.reading.id, reason });
    }
    return false;
  });
  readings.splice(0, readings.length, ...kept);
  return out;
}
