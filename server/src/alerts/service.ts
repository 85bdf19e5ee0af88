/**
 * The alert service: takes what ingest committed (readings, gateway status and events),
 * evaluates it in order, and runs the missing-data checks on the alert clock. Everything it
 * decides is in the database; this process only holds a queue of work that the cursor lets a
 * restarted server redo (evaluation is idempotent). Paging, escalation and deliveries belong
 * to the notify service (notify/service.ts), which it reaches through `AlertNotifications`.
 */
import type { GatewayEvent, GatewayStatus } from '@vitals/contract';
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import { databaseNow } from '../storage/probes.ts';
import { getCursor, setCursor } from '../storage/repos/alert-cursor.ts';
import { readingsReceivedSince } from '../storage/repos/alert-readings.ts';
import { heardFrom } from '../storage/repos/gateway-liveness.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';
import {
  batteryEvent,
  batteryState,
  checkGateways,
  checkSchedules,
  checkSilentDevices,
  gatewaySeen,
} from './checks.ts';
import { alertClock, type Clock } from './clock.ts';
import type { AlertConfig } from './config.ts';
import type { AlertContext } from './context.ts';
import { evaluateReadings } from './evaluate.ts';
import { acknowledge } from './lifecycle.ts';
import { type AlertNotifications, alertChanged } from './transitions.ts';

/** After a crash, readings received this long before the cursor are evaluated again. */
const RECOVERY_MARGIN_MS = 2 * 60_000;
const RECOVERY_CHUNK = 5_000;
/** How often an instance looks for instances that went away (their unjudged readings are its to judge). */
const PEER_CHECK_MS = 2_000;

export interface AlertServiceOptions {
  sql: Sql;
  log: Logger;
  config: AlertConfig;
  clock?: Clock;
  notifications: AlertNotifications;
  /**
   * Heard with scope `local` only: the alert rules judge the readings this instance ingested,
   * each reading once in the deployment. Every lifecycle transition made through this service
   * is published as `alert.changed` once committed (the notify service publishes its own,
   * `paged`, `escalated`, …).
   */
  events: EventBus;
  /**
   * Seconds from a reading's arrival at this instance to the commit of the alert it opened
   * (`vitals_alert_open_latency_seconds`); readings recovered after a restart carry no arrival.
   */
  observeOpenLatency?: (seconds: number) => void;
}

/** The earliest arrival of the readings being evaluated, by patient and metric, and by patient. */
interface Arrivals {
  byMetric: Map<string, number>;
  byPatient: Map<string, number>;
}

export class AlertService {
  readonly ctx: AlertContext;
  readonly clock: Clock;
  private chain: Promise<void> = Promise.resolve();
  private pendingRows: StoredReading[] = [];
  private pendingArrivals: Arrivals = { byMetric: new Map(), byPatient: new Map() };
  /** The arrivals of the readings the chain is evaluating now (set only while it does). */
  private evaluating: Arrivals | null = null;
  private rowsQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private peerTimer: NodeJS.Timeout | undefined;
  /** The other instances seen alive at the last look (null: not looked yet). */
  private peers: Set<string> | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly o: AlertServiceOptions) {
    this.clock = o.clock ?? alertClock(o.config);
    this.ctx = {
      sql: o.sql,
      log: o.log,
      clock: this.clock,
      config: o.config,
      notifications: {
        transitioned: async (tx, t) => {
          if (t.type === 'opened') this.observeOpened(tx, t.alert);
          await o.notifications.transitioned(tx, t);
          o.events.publish('alert.changed', alertChanged(t), { tx });
          if (t.timelineItem) o.events.publish('timeline.posted', t.timelineItem, { tx });
        },
        page: (tx, a) => o.notifications.page(tx, a),
        deliver: () => o.notifications.deliver(),
        linkSecret: () => o.notifications.linkSecret(),
      },
      linkSecret: () => o.notifications.linkSecret(),
    };
    const local = { scope: 'local' } as const;
    this.unsubscribe = [
      o.events.subscribe('readings.stored', (e) => this.onStored(e.rows, e.arrivedAt), local),
      o.events.subscribe('readings.attached', (e) => this.onStored(e.rows), local),
      o.events.subscribe('gateway.status', (e) => this.onGatewayStatus(e.gatewayId, e.status), local),
      o.events.subscribe('gateway.event', (e) => this.onGatewayEvent(e.gatewayId, e.event), local),
    ];
  }

  /** Re-evaluates what a crash may have left unevaluated, then starts the timers. */
  async start(): Promise<void> {
    // Fetched before any transaction needs it: PGlite has one connection, and a query on
    // it from inside a transaction would wait for that transaction forever.
    await this.ctx.linkSecret();
    const cursor = await getCursor(this.o.sql);
    if (!cursor) await setCursor(this.o.sql, (await this.dbNow()) ?? new Date());
    else {
      const n = await this.reevaluateSince(new Date(cursor.getTime() - RECOVERY_MARGIN_MS));
      if (n) this.o.log.info({ readings: n }, 'alert evaluation recovered readings received before the restart');
    }
    const every = Number(this.o.config.alertTickMs ?? '1000');
    this.timer = setInterval(
      () => void this.tick().catch((e) => this.o.log.error({ err: e }, 'alert tick failed')),
      every,
    );
    this.timer.unref();
    this.peerTimer = setInterval(
      () =>
        void this.lookForPeersGone().catch((e) => this.o.log.warn({ err: e }, 'cannot tell which instances are alive')),
      PEER_CHECK_MS,
    );
    this.peerTimer.unref();
  }

  /** Evaluates again every reading received since `since` (idempotent); returns how many. */
  private async reevaluateSince(since: Date): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await readingsReceivedSince(this.o.sql, since, RECOVERY_CHUNK);
      if (rows.length === 0) break;
      await evaluateReadings(this.ctx, rows);
      n += rows.length;
      since = rows.at(-1)!.received_at;
      if (rows.length < RECOVERY_CHUNK) break;
    }
    return n;
  }

  /**
   * Issue 18: the rules judge a reading on the instance that ingested it, after its commit. An
   * instance that dies between a commit and that judgement (SIGKILL, a lost machine) leaves
   * readings nobody judged; when one goes away, the instances left judge again what arrived in
   * the last RECOVERY_MARGIN_MS (idempotent: what was judged already changes nothing).
   */
  private async lookForPeersGone(): Promise<void> {
    if (this.stopped) return;
    const now = await this.o.events.peers();
    if (now === null) return;
    const before = this.peers;
    this.peers = new Set(now);
    const gone = before ? [...before].filter((p) => !this.peers!.has(p)) : [];
    if (gone.length === 0) return;
    this.o.log.warn(
      { instances: gone },
      'another instance stopped or died: judging again the readings received in the last 2 minutes (those it committed but may not have judged)',
    );
    this.enqueue(async () => {
      const t = await databaseNow(this.o.sql);
      const n = await this.reevaluateSince(new Date(t.getTime() - RECOVERY_MARGIN_MS));
      this.o.log.info({ readings: n }, 'readings judged again after another instance went away');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const f of this.unsubscribe) f();
    if (this.timer) clearInterval(this.timer);
    if (this.peerTimer) clearInterval(this.peerTimer);
    await this.chain;
    await this.ticking;
  }

  /** Rows committed (by this instance's ingest, or attached by a new binding). Never throws. */
  private onStored(rows: StoredReading[], arrivedAt?: number, arrivals?: Arrivals): void {
    if (this.stopped) return;
    this.pendingRows.push(...rows);
    if (arrivedAt !== undefined) noteArrivals(this.pendingArrivals, rows, arrivedAt);
    if (arrivals) mergeArrivals(this.pendingArrivals, arrivals);
    if (this.rowsQueued) return;
    this.rowsQueued = true;
    this.enqueue(async () => {
      this.rowsQueued = false;
      const take = this.pendingRows.splice(0);
      const took = this.pendingArrivals;
      this.pendingArrivals = { byMetric: new Map(), byPatient: new Map() };
      const t = await this.dbNow();
      try {
        this.evaluating = took;
        await evaluateReadings(this.ctx, take);
        this.evaluating = null;
        await this.readingSideEffects(take);
        if (t) await setCursor(this.o.sql, t);
      } catch (e) {
        this.evaluating = null;
        // The database failed mid-way: evaluation is idempotent, so simply try again later.
        this.o.log.error({ err: e, readings: take.length }, 'alert evaluation failed; retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1000));
        this.onStored(take, undefined, took);
      }
    });
  }

  /** An alert opened by the readings being evaluated: its latency is observed once it commits. */
  private observeOpened(tx: Sql, alert: { patient_id: string; metric: string | null }): void {
    const observe = this.o.observeOpenLatency;
    const a = this.evaluating;
    if (!observe || !a) return;
    const arrivedAt =
      (alert.metric !== null ? a.byMetric.get(`${alert.patient_id}|${alert.metric}`) : undefined) ??
      a.byPatient.get(alert.patient_id);
    if (arrivedAt === undefined) return;
    const done = () => observe(Math.max(0, Date.now() - arrivedAt) / 1000);
    if (tx.afterCommit) tx.afterCommit(done);
    else done();
  }

  private onGatewayStatus(gatewayId: string, status: Partial<GatewayStatus>): void {
    if (status.state !== 'online' && status.state !== 'offline') return;
    const state = status.state;
    this.enqueue(() => gatewaySeen(this.ctx, gatewayId, state));
  }

  private onGatewayEvent(_gatewayId: string, event: GatewayEvent): void {
    this.enqueue(() => batteryEvent(this.ctx, event));
  }

  /** Resolves when everything handed over so far has been evaluated. */
  async settled(): Promise<void> {
    let c: Promise<void>;
    do {
      c = this.chain;
      await c;
    } while (c !== this.chain);
  }

  /** One round of the missing-data checks (escalation and delivery timers: notify/service.ts). */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await checkSchedules(this.ctx);
        await checkGateways(this.ctx);
        await checkSilentDevices(this.ctx);
        await this.deliver();
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  async acknowledge(alertId: string, userId: string, note?: string, ip?: string) {
    const r = await this.o.sql.transaction((tx) => acknowledge(tx, this.ctx, alertId, userId, note, ip));
    void this.deliver();
    return r;
  }

  /** Sends every due delivery now (the notify service does it; kept for callers holding this service). */
  deliver(): Promise<void> {
    return this.o.notifications.deliver();
  }

  private enqueue(task: () => Promise<unknown>) {
    this.chain = this.chain
      .then(task)
      .then(() => {
        void this.deliver();
      })
      .catch((e) => this.o.log.error({ err: e }, 'alert evaluation failed'));
  }

  private async dbNow(): Promise<Date | null> {
    try {
      return await databaseNow(this.o.sql);
    } catch {
      return null;
    }
  }

  /** Readings also say a gateway is alive, and a device that its battery is low. */
  private async readingSideEffects(rows: StoredReading[]) {
    const gateways = [...new Set(rows.map((r) => r.gateway_id))];
    for (const gw of await heardFrom(this.o.sql, gateways, this.clock.now())) await gatewaySeen(this.ctx, gw, 'online');
    const lowBattery = new Map<string, Date>();
    for (const r of rows) if (r.flags?.includes('battery_low')) lowBattery.set(r.device_id, r.time);
    for (const [device, at] of lowBattery) await batteryState(this.ctx, device, null, true, false, at);
  }
}

function noteArrivals(into: Arrivals, rows: readonly StoredReading[], arrivedAt: number): void {
  for (const r of rows) {
    if (!r.patient_id) continue;
    const k = `${r.patient_id}|${r.metric}`;
    into.byMetric.set(k, Math.min(into.byMetric.get(k) ?? arrivedAt, arrivedAt));
    into.byPatient.set(r.patient_id, Math.min(into.byPatient.get(r.patient_id) ?? arrivedAt, arrivedAt));
  }
}

function mergeArrivals(into: Arrivals, from: Arrivals): void {
  for (const [k, v] of from.byMetric) into.byMetric.set(k, Math.min(into.byMetric.get(k) ?? v, v));
  for (const [k, v] of from.byPatient) into.byPatient.set(k, Math.min(into.byPatient.get(k) ?? v, v));
}
