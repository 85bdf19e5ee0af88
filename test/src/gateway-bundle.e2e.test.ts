/**
 * The Pi bundle (gateway/deploy/build.mjs, what install.sh puts on a gateway) holds the gateway
 * and the contract only: no simulator, no test kit (issue 12). esbuild names each bundled module
 * in a `// path` comment, which is what is read here; then the bundle runs the decoder command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './processes.ts';

describe('the gateway bundle for the Pi', () => {
  // The bundle must live below gateway/ to find its native packages in gateway/node_modules.
  const out = join(ROOT, 'gateway', 'dist', `bundle-test-${randomBytes(4).toString('hex')}.mjs`);
  afterAll(() => rmSync(out, { force: true }));

  it('holds only gateway and contract modules and decodes like the source', { timeout: 60_000 }, () => {
    execFileSync(process.execPath, [join(ROOT, 'gateway/deploy/build.mjs'), out], { cwd: ROOT });
    const modules = [...readFileSync(out, 'utf8').matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((m) => m[1]!);
    expect(modules).toContain('gateway/src/cli/main.ts');
    expect(modules.filter((m) => !/^(gateway|contract)\/src\//.test(m))).toEqual([]);

    const line = JSON.stringify({ transport: 'ble', characteristic: '2A37', hex: '0048' });
    const run = spawnSync(process.execPath, [out, 'decode'], { cwd: ROOT, input: `${line}\n`, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, readings: [{ metric: 'pulse_rate', value: 72 }] });
  });
});
