import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki } from '@vitals/firmware-sim/pki.ts';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';

function connect(url: string, opts: mqtt.IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => {
      c.end(true);
      resolve('connected');
    });
    c.once('error', (e) => {
      c.end(true);
      resolve(`error: ${e.message}`);
    });
  });
}

describe('the embedded broker over TLS', () => {
  let t: TestServer;
  let dir: string;
  let password: string;

  beforeAll(async () => {
    const pki = makeTestPki(['gw-tls-01']);
    dir = pki.dir;
    t = await startTestServer('pglite', {
      VITALS_MQTTS_PORT: '0',
      VITALS_TLS_CERT: join(dir, 'server.pem'),
      VITALS_TLS_KEY: join(dir, 'server.key'),
      VITALS_TLS_CLIENT_CA: join(dir, 'ca.pem'),
    });
    password = (await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-tls-01' })).body.mqtt
      .password;
  });
  afterAll(async () => t?.close());

  it('accepts a gateway that trusts the CA and presents its client certificate', async () => {
    const url = `mqtts://127.0.0.1:${t.server.mqttsPort}`;
    const r = await connect(url, {
      clientId: 'gw-tls-01',
      username: 'gw-tls-01',
      password,
      ca: readFileSync(join(dir, 'ca.pem')),
      cert: readFileSync(join(dir, 'gw-tls-01.pem')),
      key: readFileSync(join(dir, 'gw-tls-01.key')),
    });
    expect(r).toBe('connected');
  });

  it('is refused by a gateway that does not trust the server certificate', async () => {
    const r = await connect(`mqtts://127.0.0.1:${t.server.mqttsPort}`, {
      clientId: 'gw-tls-01',
      username: 'gw-tls-01',
      password,
    });
    expect(r).toMatch(/self[- ]signed|unable to verify|certificate/i);
  });

  it('refuses a gateway without a client certificate when client certificates are required', async () => {
    const r = await connect(`mqtts://127.0.0.1:${t.server.mqttsPort}`, {
      clientId: 'gw-tls-01',
      username: 'gw-tls-01',
      password,
      ca: readFileSync(join(dir, 'ca.pem')),
    });
    expect(r).not.toBe('connected');
  });
});
