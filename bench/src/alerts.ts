/**
 * `pnpm -s bench alerts [--backend postgres|pglite] [--seconds N] [--rate N]`
 *
 * Reading-published → webhook-received latency of alerts while ingest runs at 5,000
 * readings/s (issue 7: target p99 under 500 ms). A server process (real broker, real
 * database) takes a steady load of normal oximeter readings from many gateways; probe
 * gateways meanwhile publish blood pressures that open (or reopen) a medium alert, and the
 * site-wide webhook receiver here notes when the alert event arrives.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Reading } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { ADMIN, freshDatabaseEnv, startServerProcess } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

const LOAD_GATEWAYS = 50;
const PROBES = 10;

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

export async function run(args: string[] = []): Promise<Record<string, number>> {
  const backend = arg(args, 'backend', 'postgres') as 'postgres' | 'pglite';
  const seconds = Number(arg(args, 'seconds', '30'));
  const rate = Number(arg(args, 'rate', '5000'));

  // The site-wide webhook receiver: every alert event arrives here.
  const arrivals = new Map<string, number>(); // probe key -> arrival time
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      try {
        const b = JSON.parse(Buffer.concat(chunks).toString()) as {
          type: string;
          alert: { patientId: string; lastValue?: number; rule: string };
        };
        if ((b.type === 'alert.opened' || b.type === 'alert.reopened') && b.alert.rule === 'systolic_high')
          arrivals.set(`${b.alert.patientId}:${b.alert.lastValue}`, at);
      } catch {}
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;

  const db = freshDatabaseEnv(backend);
  log(`starting a server process on ${backend}`);
  const server = await startServerProcess({
    ...db.env,
    VITALS_LOG_LEVEL: 'info',
    VITALS_ALERT_WEBHOOK_URL: hookUrl,
    VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true', // the receiver listens on loopback
    VITALS_ALERT_TICK_MS: '200',
  });
  const clients: MqttClient[] = [];
  let accepted = 0; // readings the server acknowledged as stored (acks follow the commit)
  try {
    const token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const api = async <T>(method: string, path: string, body: unknown) => {
      const r = await server.api<T>(method, path, body, token);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const connect = async (id: string, password: string) => {
      const c = await mqtt.connectAsync(server.mqttUrl, { clientId: id, username: id, password, reconnectPeriod: 0 });
      clients.push(c);
      return c;
    };

    log(`setting up ${LOAD_GATEWAYS} loaded homes and ${PROBES} probe patients`);
    const load: { id: string; device: string; client: MqttClient; seq: number }[] = [];
    for (let i = 0; i < LOAD_GATEWAYS; i++) {
      const id = `gw-load-${String(i).padStart(3, '0')}`;
      const g = await api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id });
      const p = await api<{ id: string }>('POST', '/api/v1/patients', { displayName: `Load ${i}` });
      const device = `ble:00:aa:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
      await api('POST', '/api/v1/bindings', {
        deviceId: device,
        patientId: p.id,
        from: '2026-01-01T00:00:00.000Z',
        gatewayId: id,
      });
      const client = await connect(id, g.mqtt.password);
      await client.subscribeAsync(`vitals/v1/gw/${id}/ack`, { qos: 1 });
      client.on('message', (_t, payload) => {
        accepted += (JSON.parse(payload.toString()) as { accepted: number }).accepted;
      });
      load.push({ id, device, client, seq: 0 });
    }
    const pg = await api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-probe-000' });
    const probes: { patientId: string; device: string }[] = [];
    for (let i = 0; i < PROBES; i++) {
      const p = await api<{ id: string }>('POST', '/api/v1/patients', { displayName: `Probe ${i}` });
      const device = `ble:00:bb:00:00:00:${i.toString(16).padStart(2, '0')}`;
      await api('POST', '/api/v1/bindings', {
        deviceId: device,
        patientId: p.id,
        from: '2026-01-01T00:00:00.000Z',
        gatewayId: 'gw-probe-000',
      });
      probes.push({ patientId: p.id, device });
    }
    const probeClient = await connect('gw-probe-000', pg.mqtt.password);
    const boot = randomBytes(3).toString('hex');
    let probeSeq = 0;
    const publishProbe = (device: string, value: number) => {
      const r: Reading = {
        id: `gw-probe-000:${boot}:${String(++probeSeq).padStart(12, '0')}`,
        device: { id: device, transport: 'ble' },
        time: new Date().toISOString(),
        timeSource: 'device',
        metric: 'bp_systolic',
        value,
        unit: 'mm[Hg]',
      };
      return probeClient.publishAsync(
        'vitals/v1/gw/gw-probe-000/readings',
        JSON.stringify({
          v: 1,
          gatewayId: 'gw-probe-000',
          batchId: `gw-probe-000:${boot}:b:${probeSeq}`,
          sentAt: r.time,
          readings: [r],
        }),
        { qos: 1 },
      );
    };

    // Load: every gateway sends one batch per 100 ms, rate/10/gateways readings each.
    const perBatch = Math.max(1, Math.round(rate / 10 / LOAD_GATEWAYS));
    let sent = 0;
    const loadTimer = setInterval(() => {
      const now = Date.now();
      for (const g of load) {
        const readings: Reading[] = Array.from({ length: perBatch }, (_, k) => ({
          id: `${g.id}:${boot}:${String(g.seq++).padStart(12, '0')}`,
          device: { id: g.device, transport: 'ble' },
          time: new Date(now - 100 + (k * 100) / perBatch).toISOString(),
          timeSource: 'device',
          metric: k % 2 ? 'pulse_rate' : 'spo2',
          value: k % 2 ? 72 : 97,
          unit: k % 2 ? '/min' : '%',
        }));
        void g.client.publishAsync(
          `vitals/v1/gw/${g.id}/readings`,
          JSON.stringify({
            v: 1,
            gatewayId: g.id,
            batchId: `${g.id}:${boot}:b:${g.seq}`,
            sentAt: new Date().toISOString(),
            readings,
          }),
          { qos: 1 },
        );
        sent += readings.length;
      }
    }, 100);

    log(
      `load: ${LOAD_GATEWAYS} gateways × ${perBatch * 10} readings/s = ${perBatch * 10 * LOAD_GATEWAYS} readings/s; warming up 5 s`,
    );
    await new Promise((r) => setTimeout(r, 5000));
    const sentAtStart = sent;
    const acceptedAtStart = accepted;
    const t0 = Date.now();
    const latencies: number[] = [];
    let missed = 0;
    let round_ = 0;
    while (Date.now() - t0 < seconds * 1000) {
      // Each probe patient: a medium systolic (opens or reopens its alert), then a normal one (clears it).
      const value = 161 + (round_ % 15);
      const published = new Map<string, number>();
      for (const p of probes) {
        published.set(`${p.patientId}:${value}`, performance.now());
        await publishProbe(p.device, value);
        await new Promise((r) => setTimeout(r, 50));
      }
      const deadline = performance.now() + 5000;
      while ([...published.keys()].some((k) => !arrivals.has(k)) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      for (const [k, at] of published) {
        const got = arrivals.get(k);
        if (got === undefined) missed++;
        else latencies.push(got - at);
      }
      for (const p of probes) await publishProbe(p.device, 120);
      await new Promise((r) => setTimeout(r, 500));
      round_++;
      if (round_ % 5 === 0) {
        const s = [...latencies].sort((a, b) => a - b);
        log(
          `  ${Math.round((Date.now() - t0) / 1000)} s: ${latencies.length} probes, p50 ${round(percentile(s, 50))} ms, p99 ${round(percentile(s, 99))} ms, missed ${missed}`,
        );
      }
    }
    const elapsed = (Date.now() - t0) / 1000;
    clearInterval(loadTimer);
    const achieved = (sent - sentAtStart) / elapsed;
    const stored = (accepted - acceptedAtStart) / elapsed;
    const s = latencies.sort((a, b) => a - b);
    const figures = {
      readings_per_s_offered: Math.round(achieved),
      readings_per_s_stored: Math.round(stored),
      probes: s.length,
      probes_missed: missed,
      latency_p50_ms: round(percentile(s, 50)),
      latency_p99_ms: round(percentile(s, 99)),
      latency_max_ms: round(s.at(-1) ?? Number.NaN),
    };
    log(
      `reading-published → webhook-received at ${figures.readings_per_s_offered} readings/s offered (${figures.readings_per_s_stored} stored): p50 ${figures.latency_p50_ms} ms, p99 ${figures.latency_p99_ms} ms (${figures.probes} probes, ${missed} missed)`,
    );
    return figures;
  } finally {
    for (const c of clients) await c.endAsync().catch(() => {});
    await server.kill();
    await db.drop();
    await new Promise((r) => hook.close(r));
  }
}
