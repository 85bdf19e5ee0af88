/**
 * Issue 11, item 4: the server's PostgreSQL connections are terminated again and again
 * (`pg_terminate_backend`) and its TCP path to the database is cut for 2 s while a real
 * gateway streams; the server must stay up and, in the end, hold every produced reading
 * exactly once.
 */
import { TcpProxy } from '@vitals/server/test-support/tcp-proxy.ts';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabaseEnv, startServerProcess, TEST_DATABASE_URL } from './processes.ts';
import {
  checkExactlyOnce,
  deviceRun,
  readStatus,
  registerHome,
  startSimGateway,
  storedCount,
} from './store-forward-kit.ts';

/** Terminates every connection the server under test holds (named after its schema). */
async function terminateServerConnections(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    const r = await c.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [`vitals ${schema}`],
    );
    return r.rowCount ?? 0;
  } finally {
    await c.end();
  }
}

describe('the server while its database connections are reset', () => {
  const db = freshDatabaseEnv('postgres');
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  afterAll(async () => {
    await proxy.stop();
    await db.drop();
  });

  it('stays up through repeated connection kills and a 2-second TCP cut, and stores every reading exactly once', async () => {
    await proxy.start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    const schema = db.env.VITALS_DATABASE_SCHEMA!;
    const server = await startServerProcess({ ...db.env, VITALS_DATABASE_URL: viaProxy.toString() });
    try {
      const home = await registerHome(server, 'gw-reset-0001', server.mqttUrl);
      // 40 records/s, two readings each, for ~25 s of real time.
      const run = deviceRun(40, 1000);
      const gw = startSimGateway(home, run);
      try {
        await gw.waitFor(/store-forward test gateway running/, 30_000);
        let killed = 0;
        let rounds = 0;
        const streamEnds = run.start + (run.count / run.rate) * 1000;
        while (Date.now() < streamEnds - 1000) {
          await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 600)));
          if (rounds === 10) {
            proxy.cut();
            await new Promise((r) => setTimeout(r, 2000));
            proxy.restore();
          } else killed += await terminateServerConnections(schema);
          rounds++;
          expect(server.child.exitCode, server.output().slice(-3000)).toBeNull();
        }
        expect(rounds).toBeGreaterThan(10);
        expect(killed).toBeGreaterThanOrEqual(10);
        await eventually(
          async () => (await storedCount(schema, home.gatewayId)) === 2 * run.count,
          90_000,
          'all readings stored',
        );
        await eventually(async () => readStatus(home)?.backlog === 0, 30_000, 'an empty outbox');
        const check = await checkExactlyOnce(schema, home.gatewayId, run);
        expect(check.problems).toEqual([]);
        expect(check.rows).toBe(2 * run.count);
        expect(server.child.exitCode).toBeNull();
        const h = await eventually(
          async () => (await server.api('GET', '/healthz')).status === 200,
          20_000,
          'healthz 200',
        );
        expect(h).toBe(true);
      } finally {
        await gw.kill('SIGTERM');
      }
    } finally {
      await server.kill('SIGTERM');
    }
  }, 240_000);
});
