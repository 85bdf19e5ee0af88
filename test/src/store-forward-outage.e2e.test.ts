/**
 * Outages while a device keeps measuring: the server process is killed for a while and
 * started again; the network to the broker blackholes. Afterwards the database must hold
 * every produced reading exactly once.
 *
 * The simulated device measures 20 times per real second with time stamps one second apart,
 * so 20 s of real outage are about 7 minutes of device time (400 readings pairs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabaseEnv, startServerProcess } from './processes.ts';
import {
  checkExactlyOnce,
  deviceRun,
  readStatus,
  registerHome,
  startBlackholeProxy,
  startSimGateway,
  storedCount,
} from './store-forward-kit.ts';

describe('store-and-forward: outages', () => {
  const db = freshDatabaseEnv('postgres');
  const schema = db.env.VITALS_DATABASE_SCHEMA!;
  afterAll(() => db.drop());

  it('keeps measuring while the server is down for minutes of device time, then delivers everything once', async () => {
    let server = await startServerProcess(db.env);
    const ports = { http: server.httpPort, mqtt: server.mqttPort };
    const home = await registerHome(server, 'gw-down-0001', server.mqttUrl);
    const run = deviceRun(20, 700);
    const gw = startSimGateway(home, run);
    try {
      await eventually(async () => (await storedCount(schema, home.gatewayId)) > 0, 30_000, 'first readings stored');
      await server.kill('SIGKILL');
      const downAt = Date.now();
      await eventually(async () => readStatus(home)?.connected === false, 30_000, 'the gateway to notice');
      // 20 s down: the device keeps measuring; readings pile up in the outbox.
      await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - downAt))));
      const during = readStatus(home)!;
      expect(during.connected).toBe(false);
      expect(during.backlog).toBeGreaterThanOrEqual(2 * 300);
      server = await startServerProcess(db.env, ports);
      await eventually(
        async () => (await storedCount(schema, home.gatewayId)) === 2 * run.count,
        90_000,
        'all readings stored',
      );
      const check = await checkExactlyOnce(schema, home.gatewayId, run);
      expect(check.problems).toEqual([]);
      await eventually(
        async () => readStatus(home)?.backlog === 0 && readStatus(home)?.connected === true,
        15_000,
        'an empty outbox',
      );
    } finally {
      await gw.kill('SIGTERM');
      await server.kill('SIGTERM');
    }
  }, 180_000);

  it('notices a blackholed network within its keepalive, reconnects when it clears and delivers everything once', async () => {
    const server = await startServerProcess(db.env);
    const proxy = await startBlackholeProxy(server.mqttPort);
    const keepaliveSeconds = 2;
    const home = await registerHome(server, 'gw-hole-0001', `mqtt://127.0.0.1:${proxy.port}`, keepaliveSeconds);
    const run = deviceRun(20, 500);
    const gw = startSimGateway(home, run);
    try {
      await eventually(async () => (await storedCount(schema, home.gatewayId)) > 0, 30_000, 'first readings stored');
      const before = (gw.output().match(/connection to the server lost/g) ?? []).length;
      proxy.blackhole(true);
      // Nothing is closed and nothing is refused: only the keepalive can tell.
      await eventually(
        async () => (gw.output().match(/connection to the server lost/g) ?? []).length > before,
        keepaliveSeconds * 3 * 1000 + 2000,
        'the gateway to notice the blackhole',
      );
      const storedDuring = await storedCount(schema, home.gatewayId);
      await new Promise((r) => setTimeout(r, 4000));
      expect(await storedCount(schema, home.gatewayId)).toBe(storedDuring);
      const connectsBefore = (gw.output().match(/connected to the server/g) ?? []).length;
      proxy.blackhole(false);
      await eventually(
        async () => (gw.output().match(/connected to the server/g) ?? []).length > connectsBefore,
        30_000,
        'a reconnect',
      );
      await eventually(
        async () => (await storedCount(schema, home.gatewayId)) === 2 * run.count,
        90_000,
        'all readings stored',
      );
      const check = await checkExactlyOnce(schema, home.gatewayId, run);
      expect(check.problems).toEqual([]);
    } finally {
      await gw.kill('SIGTERM');
      await proxy.close();
      await server.kill('SIGTERM');
    }
  }, 180_000);
});
