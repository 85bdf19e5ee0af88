/**
 * Test helpers for alert scenarios: a real server in-process (real broker, real database)
 * on a manual alert clock, a gateway speaking the contract over MQTT, and a webhook
 * receiver that checks signatures. Used by server int tests, test/ scenarios and bench/.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BatchAck, Reading } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { type Clock, ManualClock } from '../src/alerts/clock.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import { dropTestSchema } from './harness.ts';
import { httpApi } from './http-api.ts';

export const TEST_DATABASE_URL = process.env.VITALS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ALERT_ADMIN = { email: 'admin@alerts.test', password: 'alerts-admin-password' };

export interface AlertTestServer {
  server: RunningServer;
  clock: ManualClock;
  base: string;
  mqttUrl: string;
  token: string;
  env: Record<string, string>;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>;
  /** Waits until evaluation caught up, runs the timers once, and lets deliveries finish. */
  settle(): Promise<void>;
  /** Moves the alert clock and runs the timers. */
  advance(ms: number): Promise<void>;
  close(opts?: { keepDatabase?: boolean }): Promise<void>;
}

export interface StartOptions {
  backend?: 'pglite' | 'postgres';
  clock?: ManualClock;
  env?: Record<string, string>;
  /** Reuse the database of an earlier server (restart scenarios): its env. */
  reuse?: Record<string, string>;
}

export async function startAlertServer(o: StartOptions = {}): Promise<AlertTestServer> {
  const backend = o.backend ?? 'postgres';
  const clock = o.clock ?? new ManualClock('2026-11-24T00:00:00.000Z');
  const env: Record<string, string> = o.reuse ?? {
    VITALS_HTTP_PORT: '0',
    VITALS_MQTT_PORT: '0',
    VITALS_HTTP_HOST: '127.0.0.1',
    VITALS_MQTT_HOST: '127.0.0.1',
    VITALS_ADMIN_EMAIL: ALERT_ADMIN.email,
    VITALS_ADMIN_PASSWORD: ALERT_ADMIN.password,
    VITALS_ADMIN_MFA: 'false',
    VITALS_ADMIN_NAME: 'Dr. Sato',
    VITALS_LOG_LEVEL: 'silent',
    // Webhook receivers and push services of tests listen on loopback.
    VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    ...(process.env.VITALS_EMBEDDED_SEED ? { VITALS_EMBEDDED_SEED: process.env.VITALS_EMBEDDED_SEED } : {}),
    VITALS_ALERT_TICK_MS: '60000',
    // The manual clock jumps days while test gateways send no heartbeat; silence tests set their own.
    VITALS_GATEWAY_SILENCE_SECONDS: '2678400',
    ...(backend === 'postgres'
      ? {
          VITALS_DATABASE_URL: TEST_DATABASE_URL,
          VITALS_DATABASE_SCHEMA: `a_${randomBytes(6).toString('hex')}`,
          VITALS_DATA_DIR: 'memory://',
        }
      : { VITALS_DATA_DIR: 'memory://' }),
    ...o.env,
  };
  const config = loadConfig(env);
  const server = await startServer(config, {
    dashboard: false,
    log: createLogger(config.logLevel),
    alertClock: clock,
    checkResponses: true,
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  const call = httpApi(base);
  const login = await call<{ token: string }>('POST', '/api/v1/auth/login', ALERT_ADMIN);
  const settle = async () => {
    await server.ingest.drained();
    await server.alerts.settled();
    await server.notify.tick();
    await server.alerts.tick();
    await server.alerts.settled();
    await server.notify.deliver();
  };
  return {
    server,
    clock,
    base,
    mqttUrl: `mqtt://127.0.0.1:${server.mqttPort}`,
    token: login.body.token,
    env,
    api: (m, p, b, t) => call(m, p, b, t === undefined ? login.body.token : t),
    settle,
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    async close(c = {}) {
      await server.close();
      if (!c.keepDatabase && env.VITALS_DATABASE_SCHEMA) await dropSchema(env.VITALS_DATABASE_SCHEMA);
    },
  };
}

export const dropSchema = (schema: string) => dropTestSchema(schema);

/** A gateway speaking the contract directly: exact batches, status, events, an MQTT will. */
export class TestGateway {
  private seq = 0;
  private constructor(
    readonly id: string,
    readonly client: MqttClient,
    private readonly boot: string,
  ) {}

  static async connect(url: string, id: string, password: string): Promise<TestGateway> {
    const client = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password,
      reconnectPeriod: 0,
      keepalive: 30,
      will: {
        topic: `vitals/v1/gw/${id}/status`,
        payload: Buffer.from(
          JSON.stringify({ state: 'offline', time: new Date().toISOString(), version: 'test', bootId: 'b' }),
        ),
        qos: 1,
        retain: true,
      },
    });
    await client.subscribeAsync(`vitals/v1/gw/${id}/ack`, { qos: 1 });
    return new TestGateway(id, client, randomBytes(3).toString('hex'));
  }

  nextId(): string {
    return `${this.id}:${this.boot}:${String(++this.seq).padStart(12, '0')}`;
  }

  /** Readings of one device and metric at the given measurement times. */
  readings(
    device: string,
    metric: Reading['metric'],
    unit: string,
    points: { t: Date | number; v: number; flags?: string[] }[],
  ): Reading[] {
    return points.map((p) => ({
      id: this.nextId(),
      device: { id: device, transport: device.startsWith('serial:') ? 'serial' : 'ble' },
      time: new Date(p.t).toISOString(),
      timeSource: 'device',
      metric,
      value: p.v,
      unit,
      ...(p.flags ? { flags: p.flags } : {}),
    }));
  }

  /** Publishes readings in batches of up to 1,000 and waits for every ack. */
  async send(readings: Reading[]): Promise<BatchAck[]> {
    const acks: BatchAck[] = [];
    for (let i = 0; i < readings.length; i += 1000) {
      const batchId = `${this.id}:${this.boot}:b:${String(++this.seq).padStart(6, '0')}`;
      const part = readings.slice(i, i + 1000);
      const ack = new Promise<BatchAck>((resolve) => {
        const on = (topic: string, p: Buffer) => {
          const a = JSON.parse(p.toString()) as BatchAck;
          if (topic.endsWith('/ack') && a.batchId === batchId) {
            this.client.off('message', on);
            resolve(a);
          }
        };
        this.client.on('message', on);
      });
      await this.client.publishAsync(
        `vitals/v1/gw/${this.id}/readings`,
        JSON.stringify({ v: 1, gatewayId: this.id, batchId, sentAt: new Date().toISOString(), readings: part }),
        { qos: 1 },
      );
      acks.push(await ack);
    }
    return acks;
  }

  async status(state: 'online' | 'offline') {
    await this.client.publishAsync(
      `vitals/v1/gw/${this.id}/status`,
      JSON.stringify({ state, time: new Date().toISOString(), version: 'test', bootId: this.boot }),
      { qos: 1, retain: true },
    );
  }

  async event(e: { type: string; device?: string; detail?: unknown; time?: string }) {
    await this.client.publishAsync(
      `vitals/v1/gw/${this.id}/events`,
      JSON.stringify({ time: new Date().toISOString(), ...e }),
      { qos: 1 },
    );
  }

  /** Pulls the plug: the TCP connection drops without DISCONNECT, so the broker sends the will. */
  unplug() {
    this.client.stream.destroy();
    this.client.end(true);
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

/** An alert as the API and webhooks show it (api/alerts/schemas.ts, alerts/json.ts). */
export interface ApiAlert {
  id: string;
  patientId: string;
  patientName?: string;
  rule: string;
  ruleKey?: string;
  metric?: string;
  priority: 'high' | 'medium' | 'low';
  state: 'firing' | 'acknowledged' | 'resolved';
  late: boolean;
  onsetAt: string;
  openedAt: string;
  lastValue?: number;
  worstValue?: number;
  conditionClearedAt?: string;
  repeatCount: number;
  flapCount: number;
  acknowledgedAt?: string;
  note?: string;
  resolvedAt?: string;
  resolution?: string;
  silencedBy?: string;
  detail?: Record<string, unknown>;
  escalation: { step: number | null; round: number; nextAt?: string };
}

export interface ApiDelivery {
  id: number;
  idempotencyKey: string;
  event: string;
  channel: string;
  status: string;
  attempts: number;
  lastError?: string;
  step?: number;
}

export interface HookBody {
  v: 1;
  type: string;
  idempotencyKey: string;
  alert: ApiAlert;
  step?: number;
  round?: number;
  recipient?: { userId: string; displayName: string };
  ackUrl?: string;
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: HookBody;
  raw: string;
  signatureValid: boolean | null;
}

/** An HTTP receiver standing in for a paging system or chat tool; checks HMAC signatures. */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** Status codes to answer with, in order; 200 once the list is used up. */
  failWith: number[] = [];
  private server!: Server;
  url = '';
  private waiters: (() => void)[] = [];

  constructor(private readonly secret: string | null) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.failWith.shift() ?? 200;
        const raw = Buffer.concat(chunks).toString('utf8');
        if (status === 200) {
          this.received.push({
            headers: req.headers,
            body: JSON.parse(raw),
            raw,
            signatureValid: this.verify(req.headers, raw),
          });
          for (const w of this.waiters.splice(0)) w();
        }
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  private verify(h: IncomingHttpHeaders, raw: string): boolean | null {
    if (!this.secret) return null;
    const sig = String(h['x-vitals-signature'] ?? '');
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    if (!m) return false;
    const want = createHmac('sha256', this.secret).update(`${m[1]}.${raw}`).digest();
    return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
  }

  of(type: string): ReceivedHook[] {
    return this.received.filter((r) => r.body.type === type);
  }

  async waitFor(pred: (all: ReceivedHook[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > end)
        throw new Error(
          `webhook receiver: condition not met; received ${JSON.stringify(this.received.map((r) => r.body.type))}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Sets up an admin-owned gateway with one bound device per entry; returns the gateway password. */
export async function setupHome(
  t: AlertTestServer,
  o: { gatewayId: string; patientName: string; devices: string[]; from?: string },
): Promise<{ patientId: string; password: string; gateway: TestGateway }> {
  const g = await t.api<{ id: string; mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: o.gatewayId });
  if (g.status !== 201) throw new Error(`gateway: ${g.status} ${JSON.stringify(g.body)}`);
  const p = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: o.patientName });
  for (const d of o.devices) {
    const b = await t.api('POST', '/api/v1/bindings', {
      deviceId: d,
      patientId: p.body.id,
      from: o.from ?? '2026-01-01T00:00:00.000Z',
      gatewayId: o.gatewayId,
    });
    if (b.status !== 201) throw new Error(`binding: ${b.status} ${JSON.stringify(b.body)}`);
  }
  const gateway = await TestGateway.connect(t.mqttUrl, o.gatewayId, g.body.mqtt.password);
  return { patientId: p.body.id, password: g.body.mqtt.password, gateway };
}

export const clockOf = (t: AlertTestServer): Clock => t.clock;

export interface ReceivedMail {
  from: string | null;
  to: string[];
  subject: string;
  headers: Record<string, string>;
  text: string;
}

/** The SMTP sink as a separate process: a real SMTP server the server's mailer talks to. */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  port = 0;
  private constructor(private readonly child: import('node:child_process').ChildProcess) {}

  static async start(): Promise<SmtpSink> {
    const { spawn } = await import('node:child_process');
    const script = new URL('./smtp-sink.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const sink = new SmtpSink(child);
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`smtp sink exited with ${code}`)));
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = /^listening (\d+)$/.exec(line);
          if (m) {
            sink.port = Number(m[1]);
            resolve();
          } else if (line.startsWith('{')) sink.mails.push(JSON.parse(line));
        }
      });
    });
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async waitFor(pred: (m: ReceivedMail[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.mails)) {
      if (Date.now() > end)
        throw new Error(`smtp sink: condition not met; got ${JSON.stringify(this.mails.map((m) => m.subject))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.removeAllListeners('exit');
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await done;
  }
}
