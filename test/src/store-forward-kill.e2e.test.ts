/**
 * The gateway is killed with SIGKILL at random moments while a device streams records, 20+
 * times; the server (a real process on PostgreSQL) must end up with every produced reading
 * exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabaseEnv, startServerProcess } from './processes.ts';
import {
  checkExactlyOnce,
  deviceRun,
  readStatus,
  registerHome,
  startSimGateway,
  storedCount,
} from './store-forward-kit.ts';

describe('store-and-forward: gateway killed with SIGKILL during a stream', () => {
  const db = freshDatabaseEnv('postgres');
  afterAll(() => db.drop());

  it('stores every produced reading exactly once after 20 kills at random moments', async () => {
    const server = await startServerProcess(db.env);
    try {
      const home = await registerHome(server, 'gw-kill-0001', server.mqttUrl);
      // 40 records/s for ~35 s of real time; each record is one second of device time.
      const run = deviceRun(40, 1400);
      let kills = 0;
      const killTimes: number[] = [];
      while (kills < 20) {
        const gw = startSimGateway(home, run);
        await gw.waitFor(/store-forward test gateway running/, 30_000);
        // A random moment: right after start (re-sending, re-downloading) up to 1.5 s of streaming.
        const wait = Math.floor(Math.random() * 1500);
        await new Promise((r) => setTimeout(r, wait));
        await gw.kill('SIGKILL');
        kills++;
        killTimes.push(wait);
      }
      const last = startSimGateway(home, run);
      try {
        const schema = db.env.VITALS_DATABASE_SCHEMA!;
        await eventually(
          async () => (await storedCount(schema, home.gatewayId)) === 2 * run.count,
          120_000,
          'all readings stored',
        );
        await eventually(async () => readStatus(home)?.backlog === 0, 15_000, 'an empty outbox');
        const check = await checkExactlyOnce(schema, home.gatewayId, run);
        expect(check.problems).toEqual([]);
        expect(check.rows).toBe(2 * run.count);
        expect(kills).toBeGreaterThanOrEqual(20);
      } finally {
        await last.kill('SIGTERM');
      }
    } finally {
      await server.kill('SIGTERM');
    }
  }, 240_000);
});
