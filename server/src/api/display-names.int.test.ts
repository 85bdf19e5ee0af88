/**
 * Issue 11 item 13: names shown on a wall display carry no invisible characters (zero-width,
 * direction overrides, controls) and one normal form; the start-up log names no email.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropTestSchema,
  startTestServer,
  TEST_DATABASE_URL,
  type TestBackend,
  type TestServer,
} from '../../test-support/harness.ts';
import { loadConfig } from '../config.ts';
import { StartupError, startServer } from '../server.ts';

describe.each<TestBackend>(['pglite', 'postgres'])('patient names on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => t?.close());

  it.each([
    ['a right-to-left override', '\u202e郎一 藤佐', 'U+202E'],
    ['a zero-width space', '佐藤\u200b一郎', 'U+200B'],
    ['a zero-width joiner', '佐藤\u200d一郎', 'U+200D'],
    ['a byte order mark', '\ufeff佐藤 一郎', 'U+FEFF'],
    ['a left-to-right isolate', '佐藤 \u2066一郎\u2069', 'U+2066'],
    ['a C1 control', '佐藤\u0085\u009b一郎', 'U+009B'],
  ])('refuses a patient name with %s, naming the character', async (_what, displayName, codePoint) => {
    const r = await t.api<{ error: { code: string; message: string } }>('POST', '/api/v1/patients', { displayName });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
    expect(r.body.error.message).toContain('displayName');
    expect(r.body.error.message).toContain(codePoint);
  });

  it('stores a patient name normalised: NFC, trimmed, inner spaces collapsed, the ideographic space kept', async () => {
    const r = await t.api<{ id: string; displayName: string }>('POST', '/api/v1/patients', {
      displayName: '\u3000 さと\u3099う　　一郎  (Jose\u0301)\t',
    });
    expect(r.status).toBe(201);
    expect(r.body.displayName).toBe('さどう　一郎 (José)');
    const wall = await t.api<{ patients: { id: string; displayName: string }[] }>('GET', '/api/v1/wall');
    expect(wall.body.patients.find((p) => p.id === r.body.id)?.displayName).toBe('さどう　一郎 (José)');
  });
});

describe.each<TestBackend>(['pglite', 'postgres'])('other names people read, on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => t?.close());

  it('refuses a gateway label, a device label and a rota name with invisible characters, naming the field', async () => {
    const me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    const patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/gateways', { label: '山田家\u202e' }, 'label contains U+202E'],
      [
        'POST',
        '/api/v1/bindings',
        { deviceId: 'ble:00:00:00:00:00:09', patientId, label: '血圧計\u2066' },
        'label contains U+2066',
      ],
      ['POST', '/api/v1/rotas', { name: '夜間\u200b当番', members: [me] }, 'name contains U+200B'],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await t.api<{ error: { code: string; message: string } }>(method, path, body);
      expect([path, r.status, r.body.error.message]).toEqual([path, 400, expect.stringContaining(message)]);
    }
  });

  it('stores a gateway label normalised', async () => {
    const r = await t.api<{ label: string }>('POST', '/api/v1/gateways', { label: ' 山田家\u3000\u3000リビング ' });
    expect(r.status).toBe(201);
    expect(r.body.label).toBe('山田家　リビング');
  });
});

describe('the first administrator', () => {
  const env = (extra: Record<string, string>) =>
    loadConfig({
      VITALS_HTTP_PORT: '0',
      VITALS_MQTT_PORT: '0',
      VITALS_HTTP_HOST: '127.0.0.1',
      VITALS_MQTT_HOST: '127.0.0.1',
      VITALS_DATA_DIR: 'memory://',
      VITALS_ADMIN_EMAIL: 'first.admin@clinic.test',
      VITALS_ADMIN_PASSWORD: 'correct-horse-battery',
      ...(process.env.VITALS_EMBEDDED_SEED ? { VITALS_EMBEDDED_SEED: process.env.VITALS_EMBEDDED_SEED } : {}),
      ...extra,
    });

  it('is created without its email in the start-up log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const schema = `t_names_${Date.now().toString(36)}`;
    const s = await startServer(env({ VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema }), {
      dashboard: false,
      log: pino({ level: 'info' }, sink),
    });
    try {
      expect(lines.some((l) => l.includes('created the first administrator'))).toBe(true);
      expect(lines.filter((l) => l.includes('first.admin'))).toEqual([]);
    } finally {
      await s.close();
      await dropTestSchema(schema);
    }
  });

  it('is refused at start when VITALS_ADMIN_NAME holds a direction override, saying which setting', async () => {
    const start = startServer(env({ VITALS_ADMIN_NAME: 'Dr \u202eevil', VITALS_LOG_LEVEL: 'silent' }), {
      dashboard: false,
      log: pino({ level: 'silent' }),
    });
    await expect(start).rejects.toThrow(StartupError);
    await expect(start).rejects.toThrow(/VITALS_ADMIN_NAME contains U\+202E/);
  });
});
