/**
 * Remote gateway settings end to end (issue 18): a real server process (PostgreSQL, embedded
 * broker) and a real gateway (startGateway: link, outbox, status). An administrator changes the
 * organisation's default and one gateway's own settings; the gateway applies them live and reports
 * the revision, and the fleet view shows them applied; the gateway's local file pins one setting
 * (remote wins unless the file pins it); restarted without a network, the gateway keeps them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eServer, startE2eServer, startInProcessGateway, until } from './in-process-gateway.ts';

interface FleetEntry {
  id: string;
  status: string;
  settings: { state: string; revision?: number; appliedRevision?: number; applied?: Record<string, unknown> };
}

describe('remote gateway settings through the retained config', () => {
  let e: E2eServer;
  beforeAll(async () => {
    e = await startE2eServer('Fleet settings patient');
  }, 120_000);
  afterAll(() => e?.close());

  it('are applied live by the gateway, shown applied in the fleet view, and kept across an offline restart', async () => {
    const gatewayId = 'gw-fleet-e2e-0001';
    const password = await e.registerGateway(gatewayId);
    const file = { settings: { statusIntervalSeconds: 300 }, pinnedSettings: ['bleReconnectMaxSeconds'] };
    const first = await startInProcessGateway({ server: e.server, gatewayId, password, file });
    const fleet = async () =>
      (await e.server.api<FleetEntry[]>('GET', '/api/v1/fleet', undefined, e.token)).body.find(
        (g) => g.id === gatewayId,
      )!;
    let dataDir: string;
    try {
      await until('the gateway online', async () => first.gw.status().connected, first.log);
      const me = await e.server.api<{ organisations: { organisationId: string }[] }>(
        'GET',
        '/api/v1/me',
        undefined,
        e.token,
      );
      const org = me.body.organisations[0]!.organisationId;
      const d = await e.server.api(
        'PUT',
        `/api/v1/organisations/${org}/gateway-settings`,
        { settings: { logLevel: 'debug', maxReadingsPerSecond: 1234, bleReconnectMaxSeconds: 600 } },
        e.token,
      );
      expect(d.status).toBe(200);
      const g = await e.server.api<{ revision: number }>(
        'PUT',
        `/api/v1/gateways/${gatewayId}/settings`,
        { settings: { statusIntervalSeconds: 20, uploadBatchReadings: 200 } },
        e.token,
      );
      expect(g.status).toBe(200);

      const shown = await until(
        'the fleet view showing the settings applied',
        async () => {
          const f = await fleet();
          return f.settings.state === 'applied' && f.settings.appliedRevision === g.body.revision && f;
        },
        first.log,
      );
      const applied = {
        logLevel: 'debug',
        maxReadingsPerSecond: 1234,
        uploadBatchReadings: 200,
        statusIntervalSeconds: 20, // the server's value wins over the file's 300
        serverReconnectMaxSeconds: 60,
        bleReconnectMaxSeconds: 60, // pinned by the file: the remote 600 is not used
      };
      expect(shown.settings.applied).toEqual(applied);
      expect(first.gw.status().settings).toEqual({
        revision: g.body.revision,
        applied,
        pinned: ['bleReconnectMaxSeconds'],
      });
      // Applied live: the new log level is in force without a restart.
      expect(first.log()).toContain('remote settings applied');
      dataDir = first.dataDir;
    } finally {
      await first.stop();
    }

    // Restarted where the server cannot be reached: the saved config still holds the settings.
    const offline = await startInProcessGateway({
      server: e.server,
      gatewayId,
      password,
      file,
      dataDir,
      serverUrl: 'mqtt://127.0.0.1:1',
    });
    try {
      expect(offline.gw.status().connected).toBe(false);
      expect(offline.gw.status().settings).toMatchObject({
        revision: (await fleet()).settings.revision,
        applied: { logLevel: 'debug', maxReadingsPerSecond: 1234, statusIntervalSeconds: 20 },
      });
    } finally {
      await offline.stop();
    }
  }, 180_000);
});
