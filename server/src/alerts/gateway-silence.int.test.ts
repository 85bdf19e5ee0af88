/**
 * Issue 7: "a gateway offline (its MQTT will, or no traffic for its keepalive window) for more
 * than 15 minutes". Here the gateway stays connected, so no will ever fires: it just stops
 * saying anything (hung software, or a broker that lost the will). Its silence counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  setupHome,
  startAlertServer,
  type TestGateway,
} from '../../test-support/alert-server.ts';

const MIN = 60_000;
const OX = 'ble:c4:7c:8d:6a:5e:01';

describe('a gateway that falls silent without its will', () => {
  let t: AlertTestServer;
  let gw: TestGateway;
  let patientId: string;

  beforeAll(async () => {
    t = await startAlertServer({ backend: 'pglite', env: { VITALS_GATEWAY_SILENCE_SECONDS: '300' } });
    t.clock.set(Date.parse('2026-11-25T01:00:00.000Z'));
    const home = await setupHome(t, { gatewayId: 'gw-silent-01', patientName: 'Kato Jiro', devices: [OX] });
    gw = home.gateway;
    patientId = home.patientId;
  });
  afterAll(async () => {
    await gw?.close();
    await t?.close();
  });

  const state = async () =>
    (
      await t.server.sql.query<{ state: string; since: Date }>(
        'SELECT state, since FROM gateway_liveness WHERE gateway_id = $1',
        ['gw-silent-01'],
      )
    ).rows[0];
  const alerts = async () => (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}`)).body;

  it('stays online while it keeps talking, goes offline as of its last message, and alerts 15 minutes after it', async () => {
    const t0 = t.clock.now().getTime();
    await gw.status('online');
    await t.settle();
    await t.advance(4 * MIN);
    await gw.send(gw.readings(OX, 'spo2', '%', [{ t: t.clock.now(), v: 97 }])); // traffic at +4 min
    await t.settle();
    await t.advance(4 * MIN); // +8: last heard 4 minutes ago
    expect((await state())?.state).toBe('online');
    await t.advance(2 * MIN); // +10: silent for 6 minutes
    expect(await state()).toEqual({ state: 'offline', since: new Date(t0 + 4 * MIN) });
    await t.advance(8 * MIN); // +18: offline for 14 minutes
    expect(await alerts()).toEqual([]);
    await t.advance(2 * MIN); // +20: offline for 16 minutes
    const [a] = await alerts();
    expect(a).toMatchObject({
      rule: 'gateway_offline',
      ruleKey: 'gw-silent-01',
      priority: 'medium',
      state: 'firing',
      openedAt: new Date(t0 + 19 * MIN).toISOString(),
    });
  });

  it('clears when the gateway speaks again (its periodic status)', async () => {
    await gw.status('online');
    await t.settle();
    for (let i = 0; i < 50 && (await alerts())[0]?.state !== 'resolved'; i++) await t.settle();
    expect((await alerts())[0]).toMatchObject({ rule: 'gateway_offline', state: 'resolved', resolution: 'cleared' });
    expect((await state())?.state).toBe('online');
  });
});
