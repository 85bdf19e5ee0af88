/**
 * `pnpm -s bench wall [--patients N] [--seconds N] [--rate N] [--probes N]`
 *
 * The ward board in headless Chromium against a real server process (issue 16): how long 500
 * patients take to render, frame times while readings arrive at 1,000/s over MQTT (p50, p95,
 * worst), and the time from publishing an alarming reading to the board showing that patient's
 * alert (p50, p99; the issue's target p99 < 1 s), beside the time the alert event reaches the
 * browser's stream at all (the server's share). Frames are timed in the page with
 * requestAnimationFrame; the alert's arrival by a MutationObserver on the cards' state.
 */
import type { Reading } from '@vitals/contract';
import { launchBrowser } from '../../test/src/browser.ts';
import { RawGateway } from '../../test/src/gateway-client.ts';
import { ADMIN, freshDatabaseEnv, startServerProcess } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

/** Runs `task` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width)
    await Promise.all(items.slice(i, i + width).map((item, j) => task(item, i + j)));
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
const deviceOf = (i: number) => `ble:00:1c:05:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;

/** Records every frame's duration and every change of a card's ward state, with its wall-clock time. */
const RECORDER = `(() => {
  window.frames_ = [];
  window.changes_ = [];
  window.stream_ = [];
  // A second stream beside the app's: when the alert event reaches the browser at all.
  new EventSource('/api/v1/stream').addEventListener('alert', (e) => {
    const d = JSON.parse(e.data);
    if (d.priority === 'high' && d.state === 'firing') window.stream_.push({ id: d.patientId, at: Date.now() });
  });
  let last = performance.now();
  const tick = (now) => { window.frames_.push(now - last); last = now; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new MutationObserver((records) => {
    for (const r of records)
      if (r.attributeName === 'data-ward-state')
        window.changes_.push({ id: r.target.dataset.patientId, state: r.target.dataset.wardState, at: Date.now() });
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-ward-state'] });
})()`;

export async function run(args: string[] = []): Promise<Record<string, number>> {
  const count = Number(arg(args, 'patients', '500'));
  const seconds = Number(arg(args, 'seconds', '10'));
  const rate = Number(arg(args, 'rate', '1000'));
  const probes = Number(arg(args, 'probes', '20'));

  const db = freshDatabaseEnv('pglite');
  log('starting a server process on the embedded database');
  const server = await startServerProcess({ ...db.env, VITALS_LOG_LEVEL: 'warn' });
  const browser = await launchBrowser();
  let gw: RawGateway | undefined;
  try {
    const token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const api = async <T>(method: string, path: string, body?: unknown) => {
      const r = await server.api<T>(method, path, body, token);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const g = await api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-bench-wall' });
    log(`registering ${count} patients, each with an oximeter and a blood-pressure cuff`);
    const patients: string[] = new Array(count);
    await inBatches([...Array(count).keys()], 10, async (i) => {
      patients[i] = (await api<{ id: string }>('POST', '/api/v1/patients', { displayName: `患者 ${i + 1}` })).id;
      for (const device of [deviceOf(2 * i), deviceOf(2 * i + 1)])
        await api('POST', '/api/v1/bindings', { deviceId: device, patientId: patients[i], gatewayId: 'gw-bench-wall' });
    });
    gw = await RawGateway.connect(server.mqttUrl, 'gw-bench-wall', g.mqtt.password);
    gw.client.setMaxListeners(1000); // one ack listener per batch in flight
    let seq = 0;
    const reading = (i: number, metric: 'spo2' | 'bp_systolic', value: number): Reading => ({
      id: `gw-bench-wall:bench:${String(seq++).padStart(12, '0')}`,
      device: { id: deviceOf(metric === 'spo2' ? 2 * i : 2 * i + 1), transport: 'ble', model: 'bench' },
      time: new Date().toISOString(),
      timeSource: 'gateway',
      metric,
      value,
      unit: metric === 'spo2' ? '%' : 'mm[Hg]',
    });
    // Every patient has a value before the board opens.
    for (let i = 0; i < count; i += 100)
      await gw.send(
        `gw-bench-wall:seed-${i}`,
        [...Array(Math.min(100, count - i)).keys()].map((j) => reading(i + j, 'spo2', 97)),
      );

    const page = await (
      await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true })
    ).newPage();
    await page.goto(server.base);
    await page.locator('#login-email').fill(ADMIN.email);
    await page.locator('#login-password').fill(ADMIN.password);
    const started = Date.now();
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="patient-card"]').length >= ${count}`, null, {
      timeout: 120_000,
    });
    const initialRenderMs = Date.now() - started;
    log(`${count} cards shown ${initialRenderMs} ms after signing in`);
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 30_000 });

    // Frame times and ward-state changes, recorded in the page.
    // (In-page code as text: this project compiles without the DOM library.)
    await page.evaluate(RECORDER);

    log(`a burst of ${rate} readings/s for ${seconds} s`);
    const batchesPerSecond = 10;
    const perBatch = Math.round(rate / batchesPerSecond);
    const burstStart = Date.now();
    const acks: ReturnType<RawGateway['send']>[] = [];
    for (let b = 0; b < seconds * batchesPerSecond; b++) {
      const due = burstStart + (b * 1000) / batchesPerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const batch = [...Array(perBatch).keys()].map(() =>
        reading(Math.floor(Math.random() * count), 'spo2', 94 + Math.floor(Math.random() * 5)),
      );
      acks.push(gw.send(`gw-bench-wall:burst-${b}`, batch));
    }
    const stored = (await Promise.all(acks)).reduce((n, a) => n + a.accepted, 0);
    log(`${stored} of ${seconds * batchesPerSecond * perBatch} readings stored`);
    const burstFrames = (await page.evaluate('window.frames_.slice(1)')) as number[];
    const sorted = [...burstFrames].sort((a, b) => a - b);
    log(`${burstFrames.length} frames during the burst`);

    log(`${probes} alarming readings (systolic 185 mmHg: a high alert at once)`);
    const latencies: number[] = [];
    const streamLatencies: number[] = [];
    for (let p = 0; p < probes; p++) {
      const i = (p * 7) % count;
      const published = Date.now();
      const ack = await gw.send(`gw-bench-wall:probe-${p}`, [reading(i, 'bp_systolic', 185)]);
      if (ack.accepted !== 1) throw new Error(`the probe reading was not stored: ${JSON.stringify(ack)}`);
      const id = patients[i]!;
      const handle = await page.waitForFunction(
        `window.changes_.find((c) => c.id === ${JSON.stringify(id)} && c.state === 'high')?.at`,
        null,
        { timeout: 30_000 },
      );

      latencies.push(Number(await handle.jsonValue()) - published);
      const streamed = await page.evaluate(`window.stream_.find((c) => c.id === ${JSON.stringify(id)})?.at`);
      if (typeof streamed === 'number') streamLatencies.push(streamed - published);
    }
    const lat = [...latencies].sort((a, b) => a - b);
    const streamLat = [...streamLatencies].sort((a, b) => a - b);
    return {
      patients: count,
      initialRenderMs,
      burstReadingsPerSecond: rate,
      frames: burstFrames.length,
      frameP50Ms: round(percentile(sorted, 50)),
      frameP95Ms: round(percentile(sorted, 95)),
      frameMaxMs: round(sorted.at(-1) ?? Number.NaN),
      alertToBoardP50Ms: round(percentile(lat, 50)),
      alertToBoardP99Ms: round(percentile(lat, 99)),
      alertToStreamP50Ms: round(percentile(streamLat, 50)),
      alertToStreamP99Ms: round(percentile(streamLat, 99)),
    };
  } finally {
    await browser.close();
    await gw?.close();
    await server.kill();
    await db.drop();
  }
}
