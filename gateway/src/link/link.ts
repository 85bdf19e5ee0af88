/**
 * The MQTT link to the server: publishes the outbox as ReadingBatches (QoS 1), keeps each
 * batch until the server's end-to-end `ack` (a PUBACK only says a broker has it), re-sends
 * unacknowledged batches with the same batchId after a reconnect, a timeout or an MQTT 5
 * PUBACK failure reason code, reconnects with exponential backoff and jitter, keeps a
 * retained birth `status` and an MQTT will for `offline`, and hands the server's retained
 * `config` to the gateway.
 *
 * Pace (adapted to the backlog): live data goes out in small batches after a short linger;
 * a backlog goes out in full batches (up to 1,000 readings / 200 KiB) with a window of
 * batches in flight that grows while acks come back quickly and halves when they are slow
 * or fail (additive increase, multiplicative decrease), under a readings-per-second ceiling,
 * so a 3-day backlog drains in minutes without flooding the server.
 *
 * Order: the outbox hands out readings in arrival order and one MQTT connection delivers
 * QoS 1 messages in order, so each device's readings reach the server in order. A batch
 * that failed is re-sent before any new one (it may then arrive after batches that were
 * already in flight; the server files by measurement time).
 */
import {
  type BatchAck,
  type GatewayConfig,
  type GatewayEvent,
  type GatewaySettingsReport,
  type GatewayStatus,
  MAX_BATCH_READINGS,
  type ReadingBatch,
  topicFor,
} from '@vitals/contract';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Outbox, OutboxBatch } from '../outbox/outbox.ts';

export interface LinkOptions {
  url: string;
  gatewayId: string;
  username: string;
  password: string;
  outbox: Outbox;
  log: Logger;
  version: string;
  bootId: string;
  /** TLS: the server's CA, and optionally a client certificate. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** TLS server name when the URL's host is an address (default: the URL's host). */
  servername?: string;
  keepaliveSeconds?: number;
  connectTimeoutMs?: number;
  /** 4 = MQTT 3.1.1 (the embedded aedes broker speaks only this), 5 = MQTT 5 (external brokers). */
  protocolVersion?: 4 | 5;
  ackTimeoutMs?: number;
  /** Most batches awaiting their ack at once (the adaptive window's ceiling). */
  window?: number;
  maxBatchReadings?: number;
  /** Ceiling on readings sent per second while draining a backlog. */
  maxReadingsPerSecond?: number;
  /** How long to wait for more readings before sending a small batch. */
  lingerMs?: number;
  /** First reconnect delay; doubles up to maxBackoffMs, each with ±50 % jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Backlog sizes that trigger an `outbox_backlog` event when crossed (up or down). */
  backlogThresholds?: number[];
  /**
   * The `online` status is published again this often while connected, so that a server can
   * tell a gateway that went quiet (hung, or its broker lost the will) from an idle one.
   */
  heartbeatSeconds?: number;
  onConfig?(config: GatewayConfig): void;
  /** The remote settings in force, reported in every `online` status (issue 18). */
  settingsReport?(): GatewaySettingsReport;
}

/** What remote settings may change on a running link (issue 18), applied at once. */
export type LinkTuning = Partial<
  Pick<LinkOptions, 'maxReadingsPerSecond' | 'maxBatchReadings' | 'heartbeatSeconds' | 'maxBackoffMs'>
>;

const MAX_PENDING_EVENTS = 1000;
/** Acks slower than this shrink the window: the server is busy. */
const ACK_TARGET_MS = 3_000;
const DEFAULT_THRESHOLDS = [1_000, 10_000, 100_000, 1_000_000];

interface InFlight {
  batch: OutboxBatch;
  timer: NodeJS.Timeout;
  sentAt: number;
}

export class Link {
  private client: MqttClient | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  private resend: OutboxBatch[] = [];
  private readonly events: GatewayEvent[] = [];
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private paceTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private pumping = false;
  private windowNow = 2;
  private tokens = 0;
  private tokensAt = Date.now();
  private failedUntil = 0;
  private failBackoff = 500;
  private backlogLevel = 0;
  connected = false;
  readonly stats = {
    batchesSent: 0,
    batchesAcked: 0,
    readingsAcked: 0,
    resent: 0,
    rejected: 0,
    connects: 0,
    pubackFailures: 0,
    ackTimeouts: 0,
  };
  lastAckAt: Date | undefined;
  lastConnectedAt: Date | undefined;

  constructor(private readonly o: LinkOptions) {
    this.backoff = o.minBackoffMs ?? 1000;
  }

  private get statusTopic() {
    return topicFor(this.o.gatewayId, 'status');
  }

  private status(state: GatewayStatus['state']): string {
    const s: GatewayStatus = { state, time: new Date().toISOString(), version: this.o.version, bootId: this.o.bootId };
    // Not in the will (fixed at connect, it would report stale settings); the server keeps the last report.
    const settings = state === 'online' ? this.o.settingsReport?.() : undefined;
    return JSON.stringify(settings ? { ...s, settings } : s);
  }

  /** Applies new pacing, batch size, heartbeat or back-off now, without reconnecting (issue 18). */
  tune(t: LinkTuning): void {
    const heartbeatChanged = t.heartbeatSeconds !== undefined && t.heartbeatSeconds !== this.o.heartbeatSeconds;
    Object.assign(this.o, t);
    if (t.maxBackoffMs !== undefined) this.backoff = Math.min(this.backoff, t.maxBackoffMs);
    this.windowNow = Math.min(this.windowNow, this.maxWindow);
    if (heartbeatChanged && this.connected) this.startHeartbeat();
    this.pump();
  }

  /** Publishes the `online` status now (e.g. after new settings were applied). */
  reportStatus(): void {
    if (this.connected) this.client?.publish(this.statusTopic, this.status('online'), { qos: 1, retain: true });
  }

  private startHeartbeat() {
    const c = this.client!;
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(
      () => {
        if (this.connected) c.publish(this.statusTopic, this.status('online'), { qos: 1, retain: true });
      },
      (this.o.heartbeatSeconds ?? 60) * 1000,
    );
    this.heartbeat.unref();
  }

  private get maxWindow() {
    return this.o.window ?? 8;
  }

  private get maxBatch() {
    return Math.min(this.o.maxBatchReadings ?? MAX_BATCH_READINGS, MAX_BATCH_READINGS);
  }

  start(): void {
    const opts: IClientOptions = {
      clientId: this.o.gatewayId,
      username: this.o.username,
      password: this.o.password,
      protocolVersion: this.o.protocolVersion ?? 4,
      clean: true,
      keepalive: this.o.keepaliveSeconds ?? 30,
      reconnectPeriod: 0, // our own backoff with jitter, below
      // A connect into a blackhole is given up as fast as a silent live connection would be.
      connectTimeout:
        this.o.connectTimeoutMs ?? Math.min(15_000, Math.max(3_000, (this.o.keepaliveSeconds ?? 30) * 1500)),
      will: { topic: this.statusTopic, payload: Buffer.from(this.status('offline')), qos: 1, retain: true },
      // Batches are re-sent by this class (same batchId), never from mqtt.js's store after a reconnect.
      queueQoSZero: false,
      ...(this.o.ca ? { ca: this.o.ca, rejectUnauthorized: true } : {}),
      ...(this.o.cert ? { cert: this.o.cert } : {}),
      ...(this.o.key ? { key: this.o.key } : {}),
      ...(this.o.servername ? { servername: this.o.servername } : {}),
    };
    const client = mqtt.connect(this.o.url, opts);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('close', () => this.onClose());
    client.on('error', (e) =>
      this.o.log.warn({ err: e.message }, 'MQTT error; check the server URL, CA and credentials'),
    );
  }

  private onConnect() {
    this.connected = true;
    this.lastConnectedAt = new Date();
    this.backoff = this.o.minBackoffMs ?? 1000;
    this.stats.connects++;
    this.o.log.info({ url: this.o.url }, 'connected to the server');
    const c = this.client!;
    c.subscribe(
      [topicFor(this.o.gatewayId, 'config'), topicFor(this.o.gatewayId, 'ack')],
      { qos: 1 },
      (err, granted) => {
        if (err || granted?.some((g) => g.qos >= 128)) {
          this.o.log.error(
            { err: err?.message, granted },
            'subscription refused; check the gateway credentials and ACL',
          );
          return;
        }
        c.publish(this.statusTopic, this.status('online'), { qos: 1, retain: true });
        this.startHeartbeat();
        // Everything not yet acknowledged goes again, oldest first, with the same ids.
        for (const f of this.inFlight.values()) clearTimeout(f.timer);
        this.inFlight.clear();
        this.resend = this.o.outbox.openBatches();
        this.windowNow = Math.min(2, this.maxWindow);
        if (this.resend.length) this.o.log.info({ batches: this.resend.length }, 're-sending unacknowledged batches');
        for (const e of this.events.splice(0)) this.sendEvent(e);
        this.checkBacklog(true);
        this.pump();
      },
    );
  }

  private onClose() {
    if (this.connected) this.o.log.warn('connection to the server lost; readings stay in the outbox');
    this.connected = false;
    clearInterval(this.heartbeat);
    for (const f of this.inFlight.values()) clearTimeout(f.timer);
    this.inFlight.clear();
    if (this.stopped || this.reconnectTimer) return;
    const delay = Math.round(this.backoff * (0.5 + Math.random()));
    this.backoff = Math.min(this.backoff * 2, this.o.maxBackoffMs ?? 60_000);
    this.o.log.info({ delayMs: delay }, 'reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.client?.reconnect();
    }, delay);
  }

  private onMessage(topic: string, payload: Buffer) {
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch {
      this.o.log.warn({ topic }, 'server sent a message that is not JSON; ignored');
      return;
    }
    if (topic === topicFor(this.o.gatewayId, 'ack')) this.onAck(msg as BatchAck);
    else if (topic === topicFor(this.o.gatewayId, 'config')) this.o.onConfig?.(msg as GatewayConfig);
  }

  private onAck(ack: BatchAck) {
    if (typeof ack?.batchId !== 'string') return;
    const f = this.inFlight.get(ack.batchId);
    if (f) {
      clearTimeout(f.timer);
      // Quick acks: one more batch in flight; slow: halve (the server is busy).
      if (Date.now() - f.sentAt < ACK_TARGET_MS) this.windowNow = Math.min(this.maxWindow, this.windowNow + 1);
      else this.windowNow = Math.max(1, Math.floor(this.windowNow / 2));
    }
    this.inFlight.delete(ack.batchId);
    this.resend = this.resend.filter((b) => b.batchId !== ack.batchId);
    // Committed on the server (rejected readings are kept there as dead letters): forget them here.
    const n = this.o.outbox.ack(ack.batchId);
    this.stats.batchesAcked++;
    this.stats.readingsAcked += n;
    this.lastAckAt = new Date();
    this.failBackoff = 500;
    if (ack.rejected?.length) {
      this.stats.rejected += ack.rejected.length;
      this.o.log.warn({ batchId: ack.batchId, rejected: ack.rejected.slice(0, 5) }, 'server rejected readings');
    }
    this.checkBacklog(false);
    this.pump();
  }

  /** New readings are in the outbox: send soon (after a short linger to fill the batch). */
  notify(): void {
    if (this.lingerTimer || !this.connected) return;
    // A backlog is sent at once; a trickle of live values waits a moment to share a batch.
    const linger = this.o.outbox.size() >= this.maxBatch ? 0 : (this.o.lingerMs ?? 100);
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      this.checkBacklog(false);
      this.pump();
    }, linger);
  }

  private refill(): void {
    const rate = this.o.maxReadingsPerSecond ?? 20_000;
    const now = Date.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
  }

  private schedulePump(delayMs: number) {
    if (this.paceTimer) return;
    this.paceTimer = setTimeout(
      () => {
        this.paceTimer = undefined;
        this.pump();
      },
      Math.max(1, delayMs),
    );
  }

  private pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.connected && !this.stopped && this.inFlight.size < this.windowNow) {
        const wait = this.failedUntil - Date.now();
        if (wait > 0) return this.schedulePump(wait);
        this.refill();
        // The bucket may go into debt by one batch: full batches, and the average rate still holds.
        const rate = this.o.maxReadingsPerSecond ?? 20_000;
        if (this.tokens <= 0) return this.schedulePump((-this.tokens / rate) * 1000 + 1);
        const batch = this.resend.shift() ?? this.o.outbox.takeBatch(this.maxBatch);
        if (!batch) break;
        this.tokens -= batch.readings.length;
        this.send(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(batch: OutboxBatch) {
    const c = this.client!;
    const payload: ReadingBatch = {
      v: 1,
      gatewayId: this.o.gatewayId,
      batchId: batch.batchId,
      sentAt: new Date().toISOString(),
      readings: batch.readings,
    };
    const entry: InFlight = {
      batch,
      sentAt: Date.now(),
      timer: setTimeout(() => {
        // No ack in time: offer it again (same batchId, same ids); the server stores each id once.
        if (this.inFlight.get(batch.batchId) !== entry) return;
        this.inFlight.delete(batch.batchId);
        this.stats.resent++;
        this.stats.ackTimeouts++;
        this.windowNow = Math.max(1, Math.floor(this.windowNow / 2));
        this.o.log.warn({ batchId: batch.batchId }, 'no ack from the server in time; will re-send the batch');
        this.resend.unshift(batch);
        this.pump();
      }, this.o.ackTimeoutMs ?? 30_000),
    };
    this.inFlight.set(batch.batchId, entry);
    this.stats.batchesSent++;
    c.publish(topicFor(this.o.gatewayId, 'readings'), JSON.stringify(payload), { qos: 1 }, (err) => {
      if (!err) return;
      // MQTT 5: a PUBACK with a failure reason code (>= 0x80) arrives here as an error; so does
      // a connection lost before the PUBACK. Either way: a failed delivery, re-sent later.
      if (this.inFlight.get(batch.batchId) !== entry) return; // a newer attempt owns this batch
      clearTimeout(entry.timer);
      this.inFlight.delete(batch.batchId);
      const reasonCode = (err as { code?: number }).code;
      if (typeof reasonCode === 'number') this.stats.pubackFailures++;
      this.stats.resent++;
      this.windowNow = 1;
      this.failedUntil = Date.now() + this.failBackoff;
      this.failBackoff = Math.min(this.failBackoff * 2, 30_000);
      this.o.log.warn(
        { err: err.message, reasonCode, batchId: batch.batchId },
        'broker did not accept the batch; will re-send it',
      );
      this.resend.unshift(batch);
      this.pump();
    });
  }

  /**
   * Reports the backlog when it crosses a threshold (either way), and on each connect while
   * there is one: `outbox_backlog` {readings, held, oldestAgeSeconds}.
   */
  private checkBacklog(onConnect: boolean) {
    const size = this.o.outbox.size();
    const thresholds = this.o.backlogThresholds ?? DEFAULT_THRESHOLDS;
    const level = thresholds.filter((t) => size >= t).length;
    if (level === this.backlogLevel && !(onConnect && level > 0)) return;
    const rising = level > this.backlogLevel;
    this.backlogLevel = level;
    const oldest = this.o.outbox.oldestStoredAt();
    const detail = {
      readings: size,
      held: this.o.outbox.held(),
      oldestAgeSeconds: oldest === undefined ? 0 : Math.round((Date.now() - oldest) / 1000),
      trend: onConnect ? 'reconnected' : rising ? 'growing' : 'draining',
    };
    if (rising) this.o.log.warn(detail, 'outbox backlog grew');
    else this.o.log.info(detail, 'outbox backlog');
    this.publishEvent({ time: new Date().toISOString(), type: 'outbox_backlog', detail });
  }

  /** Publishes an event now, or when connected (a bounded number is kept meanwhile). */
  publishEvent(e: GatewayEvent): void {
    if (this.connected) this.sendEvent(e);
    else {
      if (this.events.length >= MAX_PENDING_EVENTS) this.events.shift();
      this.events.push(e);
    }
  }

  private sendEvent(e: GatewayEvent) {
    this.client?.publish(topicFor(this.o.gatewayId, 'events'), JSON.stringify(e), { qos: 1 });
  }

  get inFlightBatches(): number {
    return this.inFlight.size;
  }

  /** The current adaptive window (batches allowed in flight). */
  get window(): number {
    return this.windowNow;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    clearTimeout(this.lingerTimer);
    clearTimeout(this.paceTimer);
    for (const f of this.inFlight.values()) clearTimeout(f.timer);
    const c = this.client;
    if (!c) return;
    if (this.connected)
      await Promise.race([
        new Promise<void>((resolve) =>
          c.publish(this.statusTopic, this.status('offline'), { qos: 1, retain: true }, () => resolve()),
        ),
        new Promise<void>((resolve) => setTimeout(resolve, 2_000)),
      ]);
    await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
  }
}
