import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, freshDatabaseEnv, startNode, startServerProcess } from './processes.ts';

describe('pnpm -s run server start', () => {
  const db = freshDatabaseEnv('pglite');
  afterAll(() => db.drop());

  it('fails fast naming the port and the setting when the MQTT port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const p = startNode('server/src/cli/main.ts', ['start'], {
      ...db.env,
      VITALS_HTTP_PORT: '0',
      VITALS_MQTT_PORT: String(port),
      VITALS_MQTT_HOST: '127.0.0.1',
      VITALS_LOG_LEVEL: 'silent',
    });
    const code = await new Promise<number | null>((r) => p.child.once('exit', r));
    blocker.close();
    expect(code).toBe(1);
    expect(p.output()).toContain(`port ${port} is already in use (VITALS_MQTT_PORT)`);
  });

  it('lists every invalid setting at once and exits 2', async () => {
    const p = startNode('server/src/cli/main.ts', ['start'], {
      VITALS_HTTP_PORT: 'eighty',
      VITALS_ADMIN_PASSWORD: 'short',
    });
    const code = await new Promise<number | null>((r) => p.child.once('exit', r));
    expect(code).toBe(2);
    expect(p.output()).toContain('VITALS_HTTP_PORT=eighty: must be a whole number from 0 to 65535');
    expect(p.output()).toContain('VITALS_ADMIN_EMAIL and VITALS_ADMIN_PASSWORD go together');
  });

  it('starts on free ports, logs them, creates the administrator and answers healthz', async () => {
    const s = await startServerProcess(db.env);
    try {
      expect(s.httpPort).toBeGreaterThan(0);
      expect((await s.api('GET', '/healthz')).status).toBe(200);
      const login = await s.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
      expect(login.status).toBe(200);
      const html = await fetch(`${s.base}/`);
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      expect(await s.kill('SIGTERM')).toBe(0);
    }
  });
});
