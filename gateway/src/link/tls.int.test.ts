import { readFileSync } from 'node:fs';
import { makeTestPki } from '@vitals/firmware-sim/pki.ts';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBroker, startFakeMqtt5Broker } from '../../test-support/fake-mqtt5-broker.ts';
import { Outbox } from '../outbox/outbox.ts';
import { Link } from './link.ts';

/** A CA, a server certificate for 127.0.0.1/localhost, a client certificate, and a stranger CA. */
function makePki() {
  const p = makeTestPki(['gw-tls-0001']);
  const client = p.clients['gw-tls-0001']!;
  return {
    ca: readFileSync(p.caFile),
    stranger: readFileSync(p.strangerCaFile),
    serverKey: readFileSync(p.serverKey),
    serverCert: readFileSync(p.serverCert),
    clientKey: readFileSync(client.key),
    clientCert: readFileSync(client.cert),
  };
}

let pki: ReturnType<typeof makePki>;
beforeAll(() => {
  pki = makePki();
});
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tlsBroker(requireClientCert: boolean): Promise<FakeBroker> {
  const b = await startFakeMqtt5Broker(() => 0, {
    tls: {
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: requireClientCert,
      rejectUnauthorized: requireClientCert,
    },
  });
  cleanups.push(() => b.close());
  return b;
}

function link(port: number, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }) {
  const l = new Link({
    url: `mqtts://127.0.0.1:${port}`,
    gatewayId: 'gw-tls-0001',
    username: 'gw-tls-0001',
    password: 'per-gateway-secret',
    outbox: new Outbox({ path: ':memory:', gatewayId: 'gw-tls-0001' }),
    log: pino({ level: 'silent' }),
    version: 'test',
    bootId: 'b',
    protocolVersion: 5,
    minBackoffMs: 100,
    maxBackoffMs: 200,
    ...tls,
  });
  cleanups.push(() => l.stop());
  l.start();
  return l;
}

describe('Link over TLS', () => {
  it('connects with the server CA and a client certificate, sending its own username and password', async () => {
    const b = await tlsBroker(true);
    const l = link(b.port, { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey });
    await expect.poll(() => l.connected, { timeout: 10_000 }).toBe(true);
    expect(b.connects[0]).toEqual({ clientId: 'gw-tls-0001', username: 'gw-tls-0001', password: 'per-gateway-secret' });
  });

  it('refuses a server whose certificate the configured CA did not sign', async () => {
    const b = await tlsBroker(false);
    const l = link(b.port, { ca: pki.stranger });
    await new Promise((r) => setTimeout(r, 1500));
    expect(l.connected).toBe(false);
    expect(b.connects).toEqual([]);
  });

  it('is refused by a server that requires a client certificate when it has none', async () => {
    const b = await tlsBroker(true);
    const l = link(b.port, { ca: pki.ca });
    await new Promise((r) => setTimeout(r, 1500));
    expect(l.connected).toBe(false);
    expect(b.connects).toEqual([]);
  });
});
