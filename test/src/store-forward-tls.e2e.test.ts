/**
 * The gateway process reaches the server over TLS only: the server's embedded broker listens
 * with mqtts and requires client certificates (VITALS_TLS_CLIENT_CA); the gateway has the
 * server's CA in `server.caFile`, a client certificate (`certFile`, `keyFile`, mode 600) and
 * its per-gateway password in a file. Certificates are made with openssl at test time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freshDatabaseEnv, startServerProcess } from './processes.ts';
import {
  checkExactlyOnce,
  deviceRun,
  makeTestPki,
  registerHome,
  startSimGateway,
  storedCount,
} from './store-forward-kit.ts';

describe('store-and-forward: TLS with a client certificate', () => {
  const db = freshDatabaseEnv('postgres');
  const schema = db.env.VITALS_DATABASE_SCHEMA!;
  afterAll(() => db.drop());

  /** A simulated home's gateway process sends its readings; each must be stored exactly once. */
  async function deliversEveryReadingOnce(home: Awaited<ReturnType<typeof registerHome>>) {
    const run = deviceRun(20, 100);
    const gw = startSimGateway(home, run);
    try {
      await eventually(
        async () => (await storedCount(schema, home.gatewayId)) === 2 * run.count,
        60_000,
        'all readings stored',
      );
      expect((await checkExactlyOnce(schema, home.gatewayId, run)).problems).toEqual([]);
    } finally {
      await gw.kill('SIGTERM');
    }
  }

  it('delivers every reading once over mqtts:// with the server CA, a client certificate and a password file', async () => {
    const pki = makeTestPki('gw-tls-0002');
    const server = await startServerProcess({
      ...db.env,
      VITALS_MQTTS_PORT: '0',
      VITALS_TLS_CERT: pki.serverCert,
      VITALS_TLS_KEY: pki.serverKey,
      VITALS_TLS_CLIENT_CA: pki.caFile,
    });
    try {
      const mqttsPort = Number(server.output().match(/listening http=\d+ mqtt=\d+ mqtts=(\d+)/)?.[1]);
      expect(mqttsPort).toBeGreaterThan(0);
      const url = `mqtts://127.0.0.1:${mqttsPort}`;
      const home = await registerHome(server, 'gw-tls-0002', url);
      const passwordFile = (home.config.server as { passwordFile: string }).passwordFile;
      home.writeConfig({
        server: { url, passwordFile, caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey },
      });
      await deliversEveryReadingOnce(home);
    } finally {
      await server.kill('SIGTERM');
    }
  }, 90_000);

  it('delivers every reading once over wss:// (MQTT over WebSocket) with the server CA', async () => {
    const pki = makeTestPki('gw-wss-0003');
    const server = await startServerProcess({
      ...db.env,
      VITALS_MQTTS_PORT: '0',
      VITALS_MQTT_WS_PORT: '0',
      VITALS_TLS_CERT: pki.serverCert,
      VITALS_TLS_KEY: pki.serverKey,
    });
    try {
      const wsPort = Number(server.output().match(/listening http=\d+ mqtt=\d+ mqtts=\d+ mqtt-ws=(\d+)/)?.[1]);
      expect(wsPort).toBeGreaterThan(0);
      const url = `wss://127.0.0.1:${wsPort}/mqtt`;
      const home = await registerHome(server, 'gw-wss-0003', url);
      const passwordFile = (home.config.server as { passwordFile: string }).passwordFile;
      home.writeConfig({ server: { url, passwordFile, caFile: pki.caFile } });
      await deliversEveryReadingOnce(home);
    } finally {
      await server.kill('SIGTERM');
    }
  }, 90_000);
});
