/**
 * The exact-topic index of retained messages (./retained-index.ts) on a real aedes broker and a
 * real MQTT client: exact subscriptions get the topic's retained message from the index, a
 * deleted one is gone, wildcard subscriptions still get every match, and the index is in place
 * (an aedes upgrade that changes its persistence fails here, not silently in a reconnection storm).
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRetainedByTopic } from './retained-index.ts';

describe('the retained-message index of the embedded broker', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;
  let indexed: boolean;

  const publish = (topic: string, payload: string) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: true, dup: false }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  /** What a fresh client receives as retained for these subscriptions. */
  const retainedFor = async (topics: string[]): Promise<string[]> => {
    const c: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const got: string[] = [];
    c.on('message', (topic, p, packet) => {
      if (packet.retain) got.push(`${topic}=${p.toString()}`);
    });
    await c.subscribeAsync(topics, { qos: 1 });
    // Until nothing more arrives for 300 ms (2,000 retained messages take a moment).
    for (let seen = -1; seen !== got.length; ) {
      seen = got.length;
      await new Promise((r) => setTimeout(r, 300));
    }
    await c.endAsync();
    return got.sort();
  };

  beforeAll(async () => {
    aedes = await Aedes.createBroker();
    indexed = indexRetainedByTopic((aedes as unknown as { persistence: unknown }).persistence);
    server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (let i = 0; i < 2000; i++) await publish(`vitals/v1/gw/gw-${i}/config`, `c${i}`);
  });
  afterAll(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('is in place on the persistence aedes uses by default', () => {
    expect(indexed).toBe(true);
  });

  it('answers an exact subscription with that topic retained message, the newest one', async () => {
    await publish('vitals/v1/gw/gw-7/config', 'c7-new');
    expect(await retainedFor(['vitals/v1/gw/gw-7/config', 'vitals/v1/gw/gw-7/ack'])).toEqual([
      'vitals/v1/gw/gw-7/config=c7-new',
    ]);
  });

  it('forgets a retained message deleted with an empty payload', async () => {
    await publish('vitals/v1/gw/gw-8/config', '');
    expect(await retainedFor(['vitals/v1/gw/gw-8/config'])).toEqual([]);
  });

  it('still answers a wildcard subscription with every match', async () => {
    const all = await retainedFor(['vitals/v1/gw/+/config']);
    expect(all).toHaveLength(1999);
    expect(all).toContain('vitals/v1/gw/gw-1999/config=c1999');
  });
});
