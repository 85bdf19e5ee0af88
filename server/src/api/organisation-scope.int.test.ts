/**
 * Issue 11, items 1 (re-registration of a moved device), 3 and 10: gateways, devices, bindings
 * and dead letters are scoped to their organisation (./organisation-scope.ts). Two
 * organisations, each with an administrator and a staff member, through the real broker and
 * database on both backends: a live gateway session that must survive, readings it publishes,
 * the retained configs both homes receive and dead letters sent over MQTT are the point here.
 * Each resource's own cases run through inject() beside its routes (gateways/, bindings/,
 * devices/, dead-letters/).
 */
import { type BatchAck, type GatewayConfig, type Reading, topicFor } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../../test-support/harness.ts';
import { hashPassword } from '../auth/secrets.ts';
import { recordDeadLetters } from '../storage/repos/dead-letters.ts';
import { addCareTeamMember } from '../storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '../storage/repos/people.ts';

function connect(url: string, id: string, password: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { clientId: id, username: id, password, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

/** The retained config the server published for a gateway, as that gateway receives it. */
async function retainedConfig(url: string, id: string, password: string): Promise<GatewayConfig> {
  const c = await connect(url, id, password);
  try {
    const cfg = new Promise<GatewayConfig>((resolve) =>
      c.once('message', (_topic, p: Buffer) => resolve(JSON.parse(p.toString()) as GatewayConfig)),
    );
    await c.subscribeAsync(topicFor(id, 'config'), { qos: 1 });
    return await cfg;
  } finally {
    await c.endAsync();
  }
}

let seq = 0;
/** One SpO2 reading of a device, published by a gateway, acknowledged by the server. */
async function publishReading(gw: MqttClient, gatewayId: string, deviceId: string, value: number): Promise<BatchAck> {
  seq += 1;
  const batchId = `${gatewayId}:b-scope-${seq}`;
  const reading: Reading = {
    id: `${gatewayId}:scope:${String(seq).padStart(12, '0')}`,
    device: { id: deviceId, transport: 'ble' },
    time: new Date(Date.now() - 60_000 + seq).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value,
    unit: '%',
  };
  const ack = new Promise<BatchAck>((resolve) => {
    const onMsg = (topic: string, p: Buffer) => {
      const a = JSON.parse(p.toString()) as BatchAck;
      if (topic === topicFor(gatewayId, 'ack') && a.batchId === batchId) {
        gw.off('message', onMsg);
        resolve(a);
      }
    };
    gw.on('message', onMsg);
  });
  const batch = { v: 1, gatewayId, batchId, sentAt: new Date().toISOString(), readings: [reading] };
  await gw.publishAsync(topicFor(gatewayId, 'readings'), JSON.stringify(batch), { qos: 1 });
  return ack;
}

interface Person {
  id: string;
  token: string;
}

describe.each<TestBackend>(['pglite', 'postgres'])(
  'organisation scope of gateways, devices and bindings on %s',
  (backend) => {
    let t: TestServer;
    let org1: string;
    let org2: string;
    let admin1: Person;
    let staff1: Person;
    let admin2: Person;
    let staff2: Person;
    /** Administrator of both organisations. */
    let adminBoth: Person;
    const passwords = new Map<string, string>();
    let patient1: string;
    let patient2: string;
    let home1: MqttClient;
    const D1 = 'ble:c4:7c:8d:00:00:01';

    async function person(email: string, memberships: [string, 'admin' | 'staff'][]): Promise<Person> {
      const id = await createUser(t.server.sql, {
        email,
        displayName: email,
        profession: 'nurse',
        passwordHash: await hashPassword('scope-password-1'),
      });
      for (const [org, role] of memberships) await addMembership(t.server.sql, id, org, role);
      const login = await t.api<{ token: string }>('POST', '/api/v1/auth/login', {
        email,
        password: 'scope-password-1',
      });
      return { id, token: login.body.token };
    }

    async function gateway(id: string, by: Person, organisationId?: string) {
      const g = await t.api<{ mqtt: { password: string } }>(
        'POST',
        '/api/v1/gateways',
        { id, ...(organisationId ? { organisationId } : {}) },
        by.token,
      );
      expect(g.status).toBe(201);
      passwords.set(id, g.body.mqtt.password);
    }

    async function patient(name: string, by: Person): Promise<string> {
      const p = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: name }, by.token);
      expect(p.status).toBe(201);
      return p.body.id;
    }

    const deviceRow = async (id: string) =>
      (
        await t.server.sql.query<{ gateway_id: string | null; organisation_id: string | null }>(
          'SELECT gateway_id, organisation_id FROM devices WHERE id = $1',
          [id],
        )
      ).rows[0];

    const latestSpo2 = async (patientId: string, by: Person) =>
      (
        await t.api<{ metrics: { spo2?: { value: number } } }>(
          'GET',
          `/api/v1/patients/${patientId}/latest`,
          undefined,
          by.token,
        )
      ).body.metrics.spo2?.value;

    beforeAll(async () => {
      t = await startTestServer(backend);
      org1 = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
      org2 = await createOrganisation(t.server.sql, { name: 'Station Two', kind: 'nurse_station' });
      admin1 = { id: '', token: t.token };
      staff1 = await person('staff1@one.test', [[org1, 'staff']]);
      admin2 = await person('admin2@two.test', [[org2, 'admin']]);
      staff2 = await person('staff2@two.test', [[org2, 'staff']]);
      adminBoth = await person('both@one-two.test', [
        [org1, 'admin'],
        [org2, 'admin'],
      ]);
      await gateway('gw-org1-a', admin1);
      await gateway('gw-org1-b', admin1);
      await gateway('gw-org2-a', admin2);
      patient1 = await patient('Patient One', admin1);
      patient2 = await patient('Patient Two', staff2);
      const bind = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: D1, patientId: patient1, from: '2020-01-01T00:00:00Z', gatewayId: 'gw-org1-a' },
        admin1.token,
      );
      expect(bind.status).toBe(201);
      home1 = await connect(t.mqttUrl, 'gw-org1-a', passwords.get('gw-org1-a')!);
      await home1.subscribeAsync(topicFor('gw-org1-a', 'ack'), { qos: 1 });
    });

    afterAll(async () => {
      await home1?.endAsync();
      await t?.close();
    });

    it("lets no administrator rotate or revoke another organisation's gateway, which keeps its password and session", async () => {
      const before = (
        await t.server.sql.query<{ secret_hash: string }>('SELECT secret_hash FROM gateways WHERE id = $1', [
          'gw-org1-a',
        ])
      ).rows[0]!.secret_hash;
      const rotate = await t.api<{ error: { code: string } }>(
        'POST',
        '/api/v1/gateways/gw-org1-a/rotate',
        undefined,
        admin2.token,
      );
      expect(rotate).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: 'gateway gw-org1-a not found' } },
      });
      const revoke = await t.api('POST', '/api/v1/gateways/gw-org1-a/revoke', undefined, admin2.token);
      expect(revoke.status).toBe(404);
      const after = await t.server.sql.query<{ secret_hash: string; revoked_at: Date | null }>(
        'SELECT secret_hash, revoked_at FROM gateways WHERE id = $1',
        ['gw-org1-a'],
      );
      expect(after.rows[0]).toEqual({ secret_hash: before, revoked_at: null });
      // The live session was not dropped, and a new one still logs in with the old password.
      expect(await publishReading(home1, 'gw-org1-a', D1, 95)).toMatchObject({ accepted: 1 });
      await home1.endAsync();
      home1 = await connect(t.mqttUrl, 'gw-org1-a', passwords.get('gw-org1-a')!);
      await home1.subscribeAsync(topicFor('gw-org1-a', 'ack'), { qos: 1 });
      // The caller's own gateway still rotates.
      const own = await t.api('POST', '/api/v1/gateways/gw-org2-a/rotate', undefined, admin2.token);
      expect(own.status).toBe(200);
      passwords.set('gw-org2-a', (own.body as { mqtt: { password: string } }).mqtt.password);
    });

    it("lists to an administrator only their own organisations' gateways", async () => {
      const two = await t.api<{ id: string; organisationId: string }[]>(
        'GET',
        '/api/v1/gateways',
        undefined,
        admin2.token,
      );
      expect(two.body.map((g) => [g.id, g.organisationId])).toEqual([['gw-org2-a', org2]]);
      const one = await t.api<{ id: string }[]>('GET', '/api/v1/gateways', undefined, admin1.token);
      expect(one.body.map((g) => g.id)).toEqual(['gw-org1-a', 'gw-org1-b']);
      const both = await t.api<{ id: string }[]>('GET', '/api/v1/gateways', undefined, adminBoth.token);
      expect(both.body.map((g) => g.id)).toEqual(['gw-org1-a', 'gw-org1-b', 'gw-org2-a']);
    });

    it('creates a gateway for the organisation the administrator names, and only one they administer', async () => {
      const unnamed = await t.api<{ error: { message: string } }>(
        'POST',
        '/api/v1/gateways',
        { id: 'gw-both-x' },
        adminBoth.token,
      );
      expect(unnamed.status).toBe(400);
      expect(unnamed.body.error.message).toMatch(/organisationId/);
      const named = await t.api<{ organisationId: string }>(
        'POST',
        '/api/v1/gateways',
        { id: 'gw-both-2', organisationId: org2 },
        adminBoth.token,
      );
      expect(named.status).toBe(201);
      expect(named.body.organisationId).toBe(org2);
      passwords.set('gw-both-2', (named.body as unknown as { mqtt: { password: string } }).mqtt.password);
      const foreign = await t.api(
        'POST',
        '/api/v1/gateways',
        { id: 'gw-two-in-1', organisationId: org1 },
        admin2.token,
      );
      expect(foreign.status).toBe(403);
      expect((await t.server.sql.query('SELECT 1 FROM gateways WHERE id = $1', ['gw-two-in-1'])).rowCount).toBe(0);
    });

    it("keeps a care-team member of another organisation from binding a device to their own patient, and the first patient's chart goes on", async () => {
      for (const body of [
        { deviceId: D1, patientId: patient2 },
        { deviceId: D1, patientId: patient2, gatewayId: 'gw-org2-a' },
        { deviceId: D1, patientId: patient2, gatewayId: 'gw-org1-a' },
      ]) {
        const r = await t.api<{ error: { code: string } }>('POST', '/api/v1/bindings', body, staff2.token);
        expect(r.status).toBe(404);
      }
      // Nor can their administrator, who is not on the first patient's team either.
      expect(
        (await t.api('POST', '/api/v1/bindings', { deviceId: D1, patientId: patient2 }, admin2.token)).status,
      ).toBe(404);
      const bindings = await t.server.sql.query<{ patient_id: string; valid_to: Date | null }>(
        'SELECT patient_id, valid_to FROM bindings WHERE device_id = $1',
        [D1],
      );
      expect(bindings.rows).toEqual([{ patient_id: patient1, valid_to: null }]);
      expect(await deviceRow(D1)).toEqual({ gateway_id: 'gw-org1-a', organisation_id: org1 });
      expect(await publishReading(home1, 'gw-org1-a', D1, 91)).toMatchObject({ accepted: 1 });
      expect(await latestSpo2(patient1, admin1)).toBe(91);
      expect(await latestSpo2(patient2, staff2)).toBeUndefined();
    });

    it("lets a visiting team member bind only their own organisation's devices to the patient of another", async () => {
      await addCareTeamMember(t.server.sql, {
        patientId: patient1,
        userId: staff2.id,
        teamRole: 'member',
        clearance: 'team',
        addedBy: staff2.id,
      });
      const foreign = await t.api('POST', '/api/v1/bindings', { deviceId: D1, patientId: patient1 }, staff2.token);
      expect(foreign).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: `device ${D1} not found` } },
      });
      const DV = 'ble:c4:7c:8d:00:00:66';
      const own = await t.api('POST', '/api/v1/bindings', { deviceId: DV, patientId: patient1 }, staff2.token);
      expect(own.status).toBe(201);
      expect(await deviceRow(DV)).toEqual({ gateway_id: null, organisation_id: org2 });
      // The patient's own organisation cannot take the visiting team's device over either.
      const takeover = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: DV, patientId: patient1, from: '2030-01-01T00:00:00Z', gatewayId: 'gw-org1-a' },
        admin1.token,
      );
      expect(takeover.status).toBe(404);
      expect(await deviceRow(DV)).toEqual({ gateway_id: null, organisation_id: org2 });
      expect(
        (
          await t.server.sql.query<{ device_id: string }>('SELECT device_id FROM bindings WHERE patient_id = $1', [
            patient1,
          ])
        ).rows
          .map((r) => r.device_id)
          .sort(),
      ).toEqual([D1, DV]);
    });

    it("refuses a binding that names another organisation's gateway, without registering the device", async () => {
      const r = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: 'ble:c4:7c:8d:00:00:22', patientId: patient2, gatewayId: 'gw-org1-a' },
        staff2.token,
      );
      expect(r).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: 'gateway gw-org1-a not found' } },
      });
      // Their administrator, with a patient of their own, no more than they.
      const adminsPatient = await patient('Patient of Admin Two', admin2);
      const byAdmin = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: 'ble:c4:7c:8d:00:00:22', patientId: adminsPatient, gatewayId: 'gw-org1-b' },
        admin2.token,
      );
      expect(byAdmin.status).toBe(404);
      expect(await deviceRow('ble:c4:7c:8d:00:00:22')).toBeUndefined();
      // Their own gateway is fine; the new device is theirs from now on.
      const ok = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: 'ble:c4:7c:8d:00:00:22', patientId: patient2, gatewayId: 'gw-org2-a' },
        staff2.token,
      );
      expect(ok.status).toBe(201);
      expect(await deviceRow('ble:c4:7c:8d:00:00:22')).toEqual({ gateway_id: 'gw-org2-a', organisation_id: org2 });
      const audit = await t.server.sql.query<{ organisation_id: string }>(
        `SELECT organisation_id FROM audit_log WHERE action = 'binding.create' AND target = $1`,
        ['ble:c4:7c:8d:00:00:22'],
      );
      expect(audit.rows).toEqual([{ organisation_id: org2 }]);
    });

    it("lists a gateway's dead letters only to administrators of its organisation", async () => {
      for (const [gw, payload] of [
        ['gw-org1-b', 'not json from home one'],
        ['gw-org2-a', 'not json from home two'],
      ] as const) {
        const home = await connect(t.mqttUrl, gw, passwords.get(gw)!);
        await home.publishAsync(topicFor(gw, 'readings'), payload, { qos: 1 });
        await home.endAsync();
      }
      await recordDeadLetters(t.server.sql, [
        { topic: 'vitals/v1/gw/unknown-gw/readings', reason: 'test', payload: 'x' },
      ]);
      await t.server.ingest.drained();
      const seen = async (by: Person) =>
        (
          await t.api<{ gatewayId?: string; payload: string }[]>('GET', '/api/v1/dead-letters', undefined, by.token)
        ).body
          .map((d) => `${d.gatewayId ?? '-'} ${d.payload}`)
          .sort();
      expect(await seen(admin1)).toEqual(['gw-org1-b not json from home one']);
      expect(await seen(admin2)).toEqual(['gw-org2-a not json from home two']);
      expect(await seen(adminBoth)).toEqual(['gw-org1-b not json from home one', 'gw-org2-a not json from home two']);
    });

    it('moves a device between two gateways of its organisation, audited, and tells both homes', async () => {
      const D = 'ble:c4:7c:8d:00:00:33';
      await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: D, patientId: patient1, gatewayId: 'gw-org1-a' },
        admin1.token,
      );
      expect((await retainedConfig(t.mqttUrl, 'gw-org1-b', passwords.get('gw-org1-b')!)).devices).toEqual([]);
      const staffTry = await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-org1-b' }, staff1.token);
      expect(staffTry.status).toBe(403);
      const moved = await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-org1-b' }, admin1.token);
      expect(moved).toEqual({
        status: 200,
        body: { id: D, organisationId: org1, gatewayId: 'gw-org1-b', movedFrom: 'gw-org1-a' },
      });
      expect(await deviceRow(D)).toEqual({ gateway_id: 'gw-org1-b', organisation_id: org1 });
      const audit = await t.server.sql.query<{ organisation_id: string; detail: unknown }>(
        `SELECT organisation_id, detail FROM audit_log WHERE action = 'device.move' AND target = $1`,
        [D],
      );
      expect(audit.rows).toEqual([{ organisation_id: org1, detail: { from: 'gw-org1-a', to: 'gw-org1-b' } }]);
      const b = await retainedConfig(t.mqttUrl, 'gw-org1-b', passwords.get('gw-org1-b')!);
      expect(b.devices.map((d) => d.id)).toEqual([D]);
      // The old home's config (read by a second subscriber of its own) no longer lists the device.
      const a = await new Promise<GatewayConfig>((resolve) => {
        const onMsg = (topic: string, p: Buffer) => {
          if (topic !== topicFor('gw-org1-a', 'config')) return;
          home1.off('message', onMsg);
          resolve(JSON.parse(p.toString()) as GatewayConfig);
        };
        home1.on('message', onMsg);
        void home1.subscribeAsync(topicFor('gw-org1-a', 'config'), { qos: 1 });
      });
      await home1.unsubscribeAsync(topicFor('gw-org1-a', 'config'));
      expect(a.devices.map((d) => d.id)).toEqual([D1]);
    });

    it('re-registers a device at the gateway a new binding names, audited as a move', async () => {
      const D = 'ble:c4:7c:8d:00:00:44';
      await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: D, patientId: patient1, from: '2026-01-01T00:00:00Z', gatewayId: 'gw-org1-a' },
        admin1.token,
      );
      const r = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: D, patientId: patient1, from: '2026-02-01T00:00:00Z', gatewayId: 'gw-org1-b' },
        admin1.token,
      );
      expect(r.status).toBe(201);
      expect(await deviceRow(D)).toEqual({ gateway_id: 'gw-org1-b', organisation_id: org1 });
      const audit = await t.server.sql.query<{ organisation_id: string; detail: unknown }>(
        `SELECT organisation_id, detail FROM audit_log WHERE action = 'device.move' AND target = $1`,
        [D],
      );
      expect(audit.rows).toEqual([{ organisation_id: org1, detail: { from: 'gw-org1-a', to: 'gw-org1-b' } }]);
    });

    it("refuses to move a device to another organisation's gateway", async () => {
      const D = 'ble:c4:7c:8d:00:00:55';
      await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: D, patientId: patient1, gatewayId: 'gw-org1-a' },
        admin1.token,
      );
      // Not theirs: the device does not exist for the other organisation's administrator.
      const outsider = await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-org2-a' }, admin2.token);
      expect(outsider).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: `device ${D} not found` } },
      });
      // Administrator of both: the organisations stay apart all the same.
      const both = await t.api<{ error: { code: string; message: string } }>(
        'POST',
        `/api/v1/devices/${D}/move`,
        { gatewayId: 'gw-org2-a' },
        adminBoth.token,
      );
      expect(both.status).toBe(409);
      expect(both.body.error.message).toMatch(/moves only between gateways of its own organisation/);
      // Nor through a binding, by a care-team member of a patient of the device's organisation.
      const own = await t.api<{ id: string }>(
        'POST',
        '/api/v1/patients',
        { displayName: 'Patient Three', organisationId: org1 },
        adminBoth.token,
      );
      const viaBinding = await t.api<{ error: { message: string } }>(
        'POST',
        '/api/v1/bindings',
        { deviceId: D, patientId: own.body.id, gatewayId: 'gw-both-2' },
        adminBoth.token,
      );
      expect(viaBinding.status).toBe(409);
      expect(viaBinding.body.error.message).toMatch(/moves only between gateways of its own organisation/);
      expect(await deviceRow(D)).toEqual({ gateway_id: 'gw-org1-a', organisation_id: org1 });
      expect(
        (await t.server.sql.query(`SELECT 1 FROM audit_log WHERE action = 'device.move' AND target = $1`, [D]))
          .rowCount,
      ).toBe(0);
    });
  },
);
