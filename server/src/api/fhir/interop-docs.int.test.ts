/**
 * Issue 17: docs/interop.md cannot rot. Its `sh` blocks run in order in one bash against a real
 * server (curl over a socket is the point), and its `js` block is the webhook receiver the
 * subscription in the docs points at: the deliveries verify with it, and a replayed or altered
 * one does not.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../../../test-support/harness.ts';

const DOC = new URL('../../../../docs/interop.md', import.meta.url);

function blocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);
}

type Verify = (secret: string, headers: IncomingHttpHeaders, raw: string, now?: number) => string;

describe('docs/interop.md, run as written', () => {
  let t: TestServer;
  let dir: string;
  let receiver: Server;
  let verify: Verify;
  const received: { headers: IncomingHttpHeaders; raw: string; verdict: string }[] = [];

  beforeAll(async () => {
    t = await startTestServer('pglite');
    dir = mkdtempSync(join(tmpdir(), 'interop-docs-'));
    const markdown = readFileSync(DOC, 'utf8');
    const [js] = blocks(markdown, 'js');
    writeFileSync(join(dir, 'receiver.mjs'), js!);
    ({ verify } = (await import(pathToFileURL(join(dir, 'receiver.mjs')).href)) as { verify: Verify });
    // The docs' subscription writes webhook.json with the secret; the receiver verifies with it.
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c));
      req.on('end', () => {
        const secret = JSON.parse(readFileSync(join(dir, 'webhook.json'), 'utf8')).secret as string;
        const verdict = verify(secret, req.headers, raw);
        received.push({ headers: req.headers, raw, verdict });
        res.writeHead(verdict === 'ok' || verdict === 'repeat' ? 200 : 401).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every shell example against a server, and each does what the page says', async () => {
    const patient = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '高橋 次郎' })).body.id;
    await t.api('POST', `/api/v1/patients/${patient}/observations`, {
      readings: [{ metric: 'respiratory_rate', value: 16 }],
    });
    const script = `set -euo pipefail\n${blocks(readFileSync(DOC, 'utf8'), 'sh').join('\n')}`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'bash',
        ['-c', script],
        {
          cwd: dir,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            VITALS: t.base,
            EMAIL: ADMIN.email,
            PASSWORD: ADMIN.password,
            PATIENT: patient,
            RECEIVER_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
          },
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const lines = out.trim().split('\n');
    expect(lines).toEqual([
      `#/patients/${patient}`,
      '4.0.1',
      'Patient',
      JSON.stringify({ value: 16, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' }),
      'Observation',
      'delivered',
    ]);
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.verdict === 'ok')).toBe(true);
  }, 90_000);

  it("refuses with the docs' receiver a replayed delivery and an altered one", () => {
    const hook = received[0]!;
    const secret = JSON.parse(readFileSync(join(dir, 'webhook.json'), 'utf8')).secret as string;
    expect(verify(secret, hook.headers, hook.raw)).toBe('repeat');
    expect(verify(secret, { ...hook.headers, 'x-vitals-delivery': 'another' }, `${hook.raw} `)).toBe('bad signature');
    const t0 = Number(/t=(\d+)/.exec(String(hook.headers['x-vitals-signature']))![1]);
    expect(verify(secret, { ...hook.headers, 'x-vitals-delivery': 'later' }, hook.raw, t0 + 301)).toBe('stale');
  });
});
