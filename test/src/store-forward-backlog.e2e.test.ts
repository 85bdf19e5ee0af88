/**
 * A 24-hour backlog of a 1 Hz pulse oximeter (86,400 records: 172,800 SpO2 and pulse
 * readings) waits in the gateway's outbox, as after a day without internet; the gateway
 * process starts, connects to a real server process and drains it. The database must then
 * hold every reading exactly once.
 */
import { join } from 'node:path';
import type { DecodedReading } from '@vitals/contract';
import { Outbox } from '@vitals/gateway/outbox/outbox.ts';
import { toWireReadings } from '@vitals/gateway/pipeline/wire-readings.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabaseEnv, startServerProcess } from './processes.ts';
import { checkExactlyOnce, readStatus, registerHome, startSimGateway, storedCount } from './store-forward-kit.ts';
import { simDevice } from './store-forward-sim.ts';

describe('store-and-forward: a day of backlog', () => {
  const db = freshDatabaseEnv('postgres');
  const schema = db.env.VITALS_DATABASE_SCHEMA!;
  afterAll(() => db.drop());

  it('drains a 24-hour backlog of a 1 Hz oximeter after reconnection, every reading once', async () => {
    const server = await startServerProcess(db.env);
    try {
      const home = await registerHome(server, 'gw-day-0001', server.mqttUrl);
      const records = 86_400;
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 25 * 3600_000;
      const outbox = new Outbox({ path: join(home.dir, 'data', 'outbox.sqlite'), gatewayId: home.gatewayId });
      for (let n0 = 0; n0 < records; n0 += 1000) {
        const readings = [];
        for (let n = n0; n < Math.min(records, n0 + 1000); n++) {
          const time = new Date(t0 + n * 1000).toISOString();
          const decoded: DecodedReading[] = [
            { metric: 'spo2', value: 90 + (n % 10), unit: '%', time },
            { metric: 'pulse_rate', value: 60 + (n % 40), unit: '/min', time },
          ];
          readings.push(
            ...toWireReadings(decoded, {
              device: simDevice(home.gatewayId),
              receivedAt: new Date(t0 + n * 1000),
              gatewayClockOk: true,
              newIds: () => [],
            }),
          );
        }
        expect(outbox.append(readings).added).toBe(readings.length);
      }
      expect(outbox.size()).toBe(2 * records);
      outbox.close();

      const started = Date.now();
      const gw = startSimGateway(home, { start: started, t0, rate: 1, count: 0 });
      try {
        await eventually(
          async () => (await storedCount(schema, home.gatewayId)) === 2 * records,
          150_000,
          'the backlog drained',
        );
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(
          `24 h backlog: ${2 * records} readings drained in ${seconds.toFixed(1)} s (${Math.round((2 * records) / seconds)} readings/s, gateway start included)\n`,
        );
        const check = await checkExactlyOnce(schema, home.gatewayId, { t0, count: records });
        expect(check.problems).toEqual([]);
        await eventually(async () => readStatus(home)?.backlog === 0, 15_000, 'an empty outbox');
      } finally {
        await gw.kill('SIGTERM');
      }
    } finally {
      await server.kill('SIGTERM');
    }
  }, 240_000);
});
