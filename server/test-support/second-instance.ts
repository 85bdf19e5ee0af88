/**
 * Another server instance on the schema of a startTestServer('postgres', { VITALS_DATABASE_SCHEMA })
 * (issue 18): every service of a server (ingest, alerts, notify, the event bus over PostgreSQL),
 * built by the same createServices, nothing listening. Two instances in one test process.
 */
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createServices, type Services } from '../src/server.ts';
import { TEST_DATABASE_URL } from './harness.ts';

export async function startSecondInstance(schema: string, env: Record<string, string> = {}): Promise<Services> {
  const config = loadConfig({
    VITALS_DATA_DIR: 'memory://',
    VITALS_DATABASE_URL: TEST_DATABASE_URL,
    VITALS_DATABASE_SCHEMA: schema,
    VITALS_LOG_LEVEL: 'silent',
    VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    ...env,
  });
  return createServices(config, { log: createLogger(config.logLevel) });
}

/** A readings batch of one device, as a gateway publishes it. */
export function batchOf(
  gatewayId: string,
  device: string,
  n: number,
  readings: { metric: string; value: number; unit: string }[],
): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      gatewayId,
      batchId: `${gatewayId}:b:${n}`,
      sentAt: new Date().toISOString(),
      readings: readings.map((r, i) => ({
        id: `${gatewayId}:r:${String(n * 1000 + i).padStart(12, '0')}`,
        device: { id: device, transport: 'ble' },
        time: new Date(Date.now() - 1000).toISOString(),
        timeSource: 'device',
        ...r,
      })),
    }),
  );
}

/** Polls `f` every 100 ms until it gives a value; throws naming `what` after `ms`. */
export async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
