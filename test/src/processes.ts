/**
 * Real processes for end-to-end tests: the server (`server/src/cli/main.ts start`) and
 * simulated homes (`firmware-sim/src/cli/main.ts home`), each one Node process running the
 * TypeScript through tsx's loader, so a SIGKILL hits the process itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import { type ApiCall, httpApi } from '@vitals/server/test-support/http-api.ts';
import pg from 'pg';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const TEST_DATABASE_URL = process.env.VITALS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Proc {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Children still running when this process exits (a timeout, a crash) are not left behind. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    process.exit(130);
  });

export function startNode(script: string, args: string[], env: Record<string, string>, logFile?: string): Proc {
  // VITALS_CHILD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the child processes.
  const nodeArgs = process.env.VITALS_CHILD_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const waiters: (() => void)[] = [];
  const log = logFile ? createWriteStream(logFile) : undefined;
  const onData = (d: Buffer) => {
    out += d.toString();
    log?.write(d);
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern} from ${script}; output:\n${out.slice(-3000)}`)),
          timeoutMs,
        );
        const check = () => {
          const m = out.match(pattern);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          } else if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(
              new Error(`${script} exited with ${child.exitCode} before ${pattern}; output:\n${out.slice(-3000)}`),
            );
          } else waiters.push(check);
        };
        child.once('exit', () => {
          for (const w of waiters.splice(0)) w();
        });
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      log?.end();
      return code;
    },
  };
}

export interface ServerProc extends Proc {
  httpPort: number;
  mqttPort: number;
  base: string;
  mqttUrl: string;
  api: ApiCall;
}

export const ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' };

/** A fresh schema in the machine's PostgreSQL, or an embedded data dir, for one test file. */
export function freshDatabaseEnv(kind: 'postgres' | 'pglite'): { env: Record<string, string>; drop(): Promise<void> } {
  if (kind === 'pglite')
    return { env: { VITALS_DATA_DIR: mkdtempSync(join(tmpdir(), 'vitals-e2e-')) }, drop: async () => {} };
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  return {
    env: {
      VITALS_DATABASE_URL: TEST_DATABASE_URL,
      VITALS_DATABASE_SCHEMA: schema,
      VITALS_DATA_DIR: mkdtempSync(join(tmpdir(), 'vitals-e2e-')),
    },
    async drop() {
      await dropTestSchema(schema);
    },
  };
}

export async function startServerProcess(
  env: Record<string, string>,
  ports = { http: 0, mqtt: 0 },
): Promise<ServerProc> {
  const p = startNode('server/src/cli/main.ts', ['start'], {
    VITALS_HTTP_PORT: String(ports.http),
    VITALS_MQTT_PORT: String(ports.mqtt),
    VITALS_HTTP_HOST: '127.0.0.1',
    VITALS_MQTT_HOST: '127.0.0.1',
    VITALS_ADMIN_EMAIL: ADMIN.email,
    VITALS_ADMIN_PASSWORD: ADMIN.password,
    // The administrator of the test kits signs in with a password alone (docs/security.md "Sign-in").
    VITALS_ADMIN_MFA: 'false',
    VITALS_LOG_LEVEL: 'info',
    ...env,
  });
  const m = await p.waitFor(/listening http=(\d+) mqtt=(\d+)/);
  const httpPort = Number(m[1]);
  const mqttPort = Number(m[2]);
  const base = `http://127.0.0.1:${httpPort}`;
  return {
    ...p,
    httpPort,
    mqttPort,
    base,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    api: httpApi(base),
  };
}

/** Polls `f` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  f: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Runs `f` with a client of the test database in `schema` (the server processes' own), then ends it. */
export async function inSchema<T>(schema: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/** The readings a schema holds: rows, distinct ids (equal when nothing was doubled) and rows bound to a patient. */
export function readingCounts(schema: string): Promise<{ n: number; distinct: number; assigned: number }> {
  return inSchema(schema, async (c) => {
    const r = await c.query<{ n: number; distinct: number; assigned: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct, count(patient_id)::int AS assigned FROM readings',
    );
    return r.rows[0]!;
  });
}
