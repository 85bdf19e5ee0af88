/**
 * The README's commands, run as a newcomer types them: the commands are read from README.md,
 * not copied here, so a README that drifts from the code fails this test (issue 12).
 * `bash scripts/test.sh` is the command running this very test, so it is only checked to exist.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, ROOT } from './processes.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The commands of the README's "Try it" block, comments removed. */
function tryItCommands(): string[] {
  const section = README.split(/^## Try it$/m)[1]?.split(/^## /m)[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

/** An inline `command` of the README that starts with `prefix`, as written there. */
function inlineCommand(prefix: string): string {
  const found = [...README.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!).find((c) => c.startsWith(prefix));
  if (!found) throw new Error(`README.md has no inline command starting with "${prefix}"`);
  return found;
}

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a command line through bash in the repository root, in its own process group. */
function shell(command: string, env: Record<string, string> = {}, stdin?: string): Run {
  // A newcomer has no seed image: the embedded database is initialised from nothing, as theirs is.
  const { VITALS_EMBEDDED_SEED: _seed, ...inherited } = process.env;
  const child = spawn('bash', ['-c', command], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  if (stdin !== undefined) child.stdin!.end(stdin);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

const running = new Set<ChildProcess>();
afterAll(() => {
  for (const c of running) if (c.exitCode === null && c.pid) process.kill(-c.pid, 'SIGKILL');
});

describe("the README's commands, verbatim", () => {
  it('offers exactly two commands to try it: the demo and the tests, both scripts that exist', () => {
    const commands = tryItCommands();
    expect(commands).toEqual(['bash scripts/demo.sh', 'bash scripts/test.sh']);
    for (const c of commands) expect(existsSync(join(ROOT, c.split(' ')[1]!))).toBe(true);
  });

  it('starts the demo with live patients on the dashboard', { timeout: 240_000 }, async () => {
    const demo = tryItCommands()[0]!;
    const run = shell(demo, { VITALS_DATA_DIR: mkdtempSync(join(tmpdir(), 'vitals-readme-demo-')) });
    running.add(run.child);
    try {
      const banner = await eventually(
        async () => {
          if (run.child.exitCode !== null) throw new Error(`the demo exited early:\n${run.output().slice(-3000)}`);
          return /Dashboard:\s+(http:\/\/localhost:\d+)\/\s*\n\s*Log in as:\s+(\S+)\s+\/\s+(\S+)/.exec(run.output());
        },
        200_000,
        'the demo banner',
      );
      const [, base, email, password] = banner;
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      // Every seeded patient shows a live value within a minute (the oximeter streams at 1 Hz).
      const wall = await eventually(
        async () => {
          const r = await fetch(`${base}/api/v1/wall`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await r.json()) as { patients: { metrics: Record<string, unknown> }[] };
          return body.patients.length > 0 && body.patients.every((p) => Object.keys(p.metrics).length > 0)
            ? body
            : undefined;
        },
        60_000,
        'every demo patient to have a reading',
      );
      expect(wall.patients.length).toBeGreaterThanOrEqual(6);
      // The care network: the nurse reads the clinical visit notes, the care manager the same
      // patient's timeline without them (the banner prints both logins).
      const also = (who: string) => {
        const m = new RegExp(`also:\\s+(${who}@\\S+)\\s+/\\s+(\\S+)`).exec(run.output());
        if (!m) throw new Error(`the banner prints no login for ${who}:\n${run.output().slice(-2000)}`);
        return { email: m[1]!, password: m[2]! };
      };
      const signIn = async (l: { email: string; password: string }) => {
        const r = await fetch(`${base}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(l),
        });
        expect(r.status).toBe(200);
        return ((await r.json()) as { token: string }).token;
      };
      const timelineOf = async (token: string, patientId: string) => {
        const r = await fetch(`${base}/api/v1/patients/${patientId}/timeline?kind=post`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await r.json()) as { items: { sensitivity: string; template?: string }[] }).items;
      };
      const patientId = (wall.patients[0] as unknown as { id: string }).id;
      const nurse = await timelineOf(await signIn(also('nurse')), patientId);
      const careManager = await timelineOf(await signIn(also('caremanager')), patientId);
      expect(nurse.some((p) => p.sensitivity === 'clinical' && p.template === 'visit_result')).toBe(true);
      expect(careManager.some((p) => p.template === 'care_plan')).toBe(true);
      expect(careManager.filter((p) => p.sensitivity !== 'team')).toEqual([]);
      const page = await fetch(`${base}/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      if (run.child.exitCode === null && run.child.pid) process.kill(-run.child.pid, 'SIGINT');
      await Promise.race([run.exited, new Promise((r) => setTimeout(r, 15_000))]);
      running.delete(run.child);
      if (run.child.exitCode === null && run.child.pid) process.kill(-run.child.pid, 'SIGKILL');
    }
  });

  it("lists the server's settings with the README's start command and --help", { timeout: 60_000 }, async () => {
    const command = inlineCommand('pnpm -s run server start');
    expect(command).toBe('pnpm -s run server start --help');
    const run = shell(command);
    expect(await run.exited).toBe(0);
    for (const setting of ['VITALS_HTTP_PORT', 'VITALS_MQTT_PORT', 'VITALS_DATABASE_URL', 'VITALS_DATA_DIR'])
      expect(run.output()).toContain(setting);
  });

  it("decodes a blood-pressure measurement with the README's decoder command", { timeout: 60_000 }, async () => {
    // `pnpm -s gateway decode [--tz ZONE]`: the optional part is left out, then given.
    const command = inlineCommand('pnpm -s gateway decode');
    expect(command).toBe('pnpm -s gateway decode [--tz ZONE]');
    const bare = command.replace(/\s*\[.*\]$/, '');
    // 2A35, flags 0x06 (mmHg, time stamp, pulse): 120/80/93 mmHg, pulse 60, 2026-06-15 10:00 device-local.
    const line = `${JSON.stringify({ transport: 'ble', characteristic: '2A35', hex: '06780050005d00ea07060f0a00003c00' })}\n`;
    for (const [c, utc] of [
      [bare, '2026-06-15T10:00:00.000Z'],
      [`${bare} --tz Asia/Tokyo`, '2026-06-15T01:00:00.000Z'],
    ] as const) {
      const run = shell(c, {}, line + line);
      expect(await run.exited).toBe(0);
      const out = run.output().trim().split('\n');
      expect(out).toHaveLength(2);
      const first = JSON.parse(out[0]!) as { ok: boolean; readings: { metric: string; value: number; time: string }[] };
      expect(first.ok).toBe(true);
      expect(first.readings.every((r) => r.time === utc)).toBe(true);
      expect(first.readings.map((r) => [r.metric, r.value])).toEqual(
        expect.arrayContaining([
          ['bp_systolic', 120],
          ['bp_diastolic', 80],
          ['bp_mean', 93],
          ['pulse_rate', 60],
        ]),
      );
    }
  });
});
