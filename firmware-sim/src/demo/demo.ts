/**
 * The demo (README's first command): the real server on the embedded database with a seeded
 * demo clinic, and one real gateway process per simulated home. Ports: 8080 and 1883 when
 * free, otherwise free ones. State (database, credentials, outboxes) lives in the data dir, so
 * a second run continues where the first stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadHome } from '../ble/home.ts';
import { type NetworkState, seedNetwork } from './network.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const HOMES_DIR = new URL('../homes/demo/', import.meta.url).pathname;
const DATA = resolve(process.env.VITALS_DATA_DIR ?? join(ROOT, 'data', 'demo'));
const STATE_FILE = join(DATA, 'demo-state.json');
const LOGS = join(DATA, 'logs');

interface DemoState {
  admin: { email: string; password: string };
  gateways: Record<string, { id: string; password: string }>;
  patients: Record<string, string>;
  /** The care network around the patients, once it is seeded (network.ts). */
  network?: NetworkState;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '0.0.0.0', () => s.close(() => done(true)));
  });
}

const children: ChildProcess[] = [];

function spawnTs(script: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(log, { flags: 'a' });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  children.push(child);
  return child;
}

function loadState(): DemoState {
  if (existsSync(STATE_FILE)) return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DemoState;
  const state: DemoState = {
    admin: { email: 'admin@demo.vitals.jp', password: randomBytes(9).toString('base64url') },
    gateways: {},
    patients: {},
  };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
  return state;
}

async function main() {
  mkdirSync(LOGS, { recursive: true });
  const state = loadState();
  const httpPort = (await portFree(8080)) ? 8080 : 0;
  const mqttPort = (await portFree(1883)) ? 1883 : 0;
  say('vitals demo: starting the server (embedded database, first start takes a few seconds)');
  const server = spawnTs(
    'server/src/cli/main.ts',
    ['start'],
    {
      VITALS_HTTP_PORT: String(httpPort),
      VITALS_MQTT_PORT: String(mqttPort),
      VITALS_DATA_DIR: join(DATA, 'server'),
      VITALS_ADMIN_EMAIL: state.admin.email,
      VITALS_ADMIN_PASSWORD: state.admin.password,
      // A demo on one machine: its administrator signs in with the password shown in the banner.
      VITALS_ADMIN_MFA: 'false',
      VITALS_ADMIN_NAME: '山本 医師 (Dr Yamamoto)',
      VITALS_ORGANISATION_NAME: 'みなと在宅クリニック',
    },
    join(LOGS, 'server.log'),
  );
  const ports = await new Promise<{ http: number; mqtt: number }>((resolvePorts, reject) => {
    let buf = '';
    server.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening http=(\d+) mqtt=(\d+)/.exec(buf);
      if (m) resolvePorts({ http: Number(m[1]), mqtt: Number(m[2]) });
    });
    server.once('exit', (code) => reject(new Error(`the server exited with ${code}; see ${join(LOGS, 'server.log')}`)));
  });
  const base = `http://127.0.0.1:${ports.http}`;
  const api = async <T>(method: string, path: string, body?: unknown, token?: string): Promise<T> => {
    const r = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const { token } = await api<{ token: string }>('POST', '/api/v1/auth/login', state.admin);

  const homes = readdirSync(HOMES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const file of homes) {
    const key = file.slice(0, -5);
    const home = loadHome(join(HOMES_DIR, file));
    if (!state.gateways[key]) {
      say(`  seeding ${home.name}: patient, gateway, ${home.devices.length} devices`);
      const patient = await api<{ id: string }>(
        'POST',
        '/api/v1/patients',
        { displayName: home.name.replace(/ \(.*\)$/, '') },
        token,
      );
      const gw = await api<{ id: string; mqtt: { password: string } }>(
        'POST',
        '/api/v1/gateways',
        { id: `gw-demo-${key}`, label: home.name },
        token,
      );
      for (const d of home.devices)
        await api(
          'POST',
          '/api/v1/bindings',
          { deviceId: `ble:${d.address}`, patientId: patient.id, from: '2020-01-01T00:00:00Z', gatewayId: gw.id },
          token,
        );
      state.patients[key] = patient.id;
      state.gateways[key] = { id: gw.id, password: gw.mqtt.password };
      writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
    }
    const gwDir = join(DATA, 'gateways', key);
    mkdirSync(gwDir, { recursive: true });
    const config = join(gwDir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify(
        {
          gatewayId: state.gateways[key].id,
          server: { url: `mqtt://127.0.0.1:${ports.mqtt}`, password: state.gateways[key].password },
          dataDir: gwDir,
          timezone: home.timezone,
          statusFile: join(gwDir, 'status.json'),
          ble: { enabled: true },
          serial: { enabled: false },
        },
        null,
        2,
      ),
      { mode: 0o600 },
    );
    spawnTs(
      'gateway/src/cli/main.ts',
      ['start', '--config', config, '--simulate', join(HOMES_DIR, file), '--history-days', '30', '--spot-every', '20'],
      {},
      join(LOGS, `gateway-${key}.log`),
    );
  }

  if (!state.network) {
    state.network = await seedNetwork(api, token, state.patients, say);
    writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
  }

  say('');
  say(`  Dashboard:  http://localhost:${ports.http}/`);
  say(`  Log in as:  ${state.admin.email}  /  ${state.admin.password}   (doctor 医師, administrator)`);
  for (const l of state.network.logins) say(`       also:  ${l.email}  /  ${l.password}   (${l.role})`);
  say("              A care manager sees the care plan and the vitals, not the nurses' clinical notes.");
  if (state.network.kioskPath)
    say(`  Wall:       http://localhost:${ports.http}${state.network.kioskPath}   (the nurse station's display)`);
  say(`  MQTT:       port ${ports.mqtt} (${homes.length} simulated homes connected as gateways)`);
  say(`  Logs:       ${LOGS}`);
  say('  Stop with Ctrl-C. Data stays in ' + DATA + ' (delete it to start afresh).');
  say('');

  // Progress: tell the newcomer when readings are flowing.
  const t0 = Date.now();
  const timer = setInterval(async () => {
    try {
      const wall = await api<{ patients: { displayName: string; metrics: Record<string, unknown> }[] }>(
        'GET',
        '/api/v1/wall',
        undefined,
        token,
      );
      const withData = wall.patients.filter((p) => Object.keys(p.metrics).length > 0).length;
      say(
        `  ${Math.round((Date.now() - t0) / 1000)} s: ${withData}/${wall.patients.length} patients have live readings`,
      );
      if (withData === wall.patients.length || Date.now() - t0 > 120_000) clearInterval(timer);
    } catch {
      /* the server may still be busy; try again */
    }
  }, 5000);

  const stop = () => {
    clearInterval(timer);
    say('stopping the demo…');
    for (const c of children.slice(1)) c.kill('SIGTERM');
    setTimeout(() => server.kill('SIGTERM'), 500);
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.once('exit', (code) => {
    say(`the server stopped (exit ${code}); see ${join(LOGS, 'server.log')}`);
    for (const c of children) c.kill('SIGTERM');
    process.exit(code ?? 1);
  });
}

main().catch((e) => {
  process.stderr.write(`vitals demo: ${(e as Error).message}\n`);
  for (const c of children) c.kill('SIGTERM');
  process.exit(1);
});
