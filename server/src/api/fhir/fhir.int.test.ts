/**
 * Issue 17: the FHIR R4 read API. A patient's 90 days of readings paged through
 * /fhir/R4/Observation come back exactly once each with their codes and exact values, every
 * resource valid against the FHIR R4 JSON schema and the PHD IG rules; a care-team outsider
 * gets 404 OperationOutcome. One app for the file.
 */
import type { Bundle, Observation, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { METRICS, type Metric, type Reading } from '@vitals/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { type SeededHome, seedHome } from '../../../test-support/fhir-data.ts';
import { fhirProblems, phdProblems, schemaProblems } from '../../../test-support/fhir-validation.ts';
import { LOINC, READING_ID_SYSTEM } from '../../fhir/codes.ts';
import { deviceResourceId, gatewayResourceId } from '../../fhir/ids.ts';
import { insertReadings } from '../../storage/repos/readings.ts';

const START = new Date('2026-08-01T00:00:00.000Z');
const DAYS = 90;

describe('FHIR R4 read API', () => {
  let t: TestApp;
  let patientId: string;
  let home: SeededHome;
  let outsider: string;

  const get = async <T = Resource>(url: string, token: string | null = t.token) => {
    const r = await t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.statusCode, type: String(r.headers['content-type']), body: JSON.parse(r.body) as T };
  };

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (
      await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '山田 花子', birthDate: '1941-03-05' })
    ).body.id;
    home = await seedHome(t, { patientId, tag: '17', days: DAYS, start: START });
    outsider = (await addColleague(t, { email: 'outsider@clinic.test', profession: 'physician' })).token;
  });
  afterAll(async () => t?.close());

  it('serves a valid CapabilityStatement as application/fhir+json without a token', async () => {
    const r = await get('/fhir/R4/metadata', null);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/fhir\+json/);
    expect(r.body.resourceType).toBe('CapabilityStatement');
    expect(fhirProblems([r.body])).toEqual([]);
  });

  it("pages through 90 days of a patient's readings and gets every reading exactly once, with its codes and exact value", async () => {
    const seen = new Map<string, number>();
    const observations: Observation[] = [];
    let url: string | undefined = `/fhir/R4/Observation?patient=Patient/${patientId}&_count=37`;
    let pages = 0;
    while (url) {
      const r: { status: number; body: Bundle } = await get<Bundle>(url);
      expect(r.status).toBe(200);
      expect(r.body.type).toBe('searchset');
      expect(r.body.entry!.length).toBeLessThanOrEqual(37);
      pages++;
      if (pages === 3) {
        // Readings arriving while a consumer pages (one before its position, one after) never
        // make it see an Observation twice or miss one it had not reached.
        const device = { id: home.oximeter, transport: 'ble' as const };
        await t.sql.transaction((tx) =>
          insertReadings(tx, [
            {
              gatewayId: home.gatewayId,
              batchId: 'late',
              reading: {
                id: `${home.gatewayId}:late:1`,
                device,
                time: START.toISOString(),
                timeSource: 'device',
                metric: 'spo2',
                value: 97,
                unit: '%',
              },
            },
            {
              gatewayId: home.gatewayId,
              batchId: 'late',
              reading: {
                id: `${home.gatewayId}:late:2`,
                device,
                time: new Date(START.getTime() + 80 * 86_400_000).toISOString(),
                timeSource: 'device',
                metric: 'spo2',
                value: 96,
                unit: '%',
              },
            },
          ]),
        );
      }
      for (const e of r.body.entry ?? []) {
        const o = e.resource as Observation;
        observations.push(o);
        for (const i of o.identifier ?? []) seen.set(i.value!, (seen.get(i.value!) ?? 0) + 1);
      }
      const next: string | undefined = r.body.link?.find((l) => l.relation === 'next')?.url;
      url = next ? new URL(next).pathname + new URL(next).search : undefined;
    }
    expect(pages).toBeGreaterThan(10);
    expect([...seen.values()].filter((n) => n !== 1)).toEqual([]);
    for (const id of home.readings.keys()) expect(seen.has(id), id).toBe(true);
    expect(seen.has(`${home.gatewayId}:late:2`)).toBe(true);
    // Two blood pressures, two pulse rates and one SpO2 a day.
    expect(observations.length).toBe(DAYS * 5 + 1);

    const valueOfReading = (readingId: string) => home.readings.get(readingId)?.value;
    for (const o of observations) {
      const ids = o.identifier!.map((i) => i.value!);
      if (o.component) {
        expect(o.code.coding).toContainEqual(expect.objectContaining({ system: LOINC, code: '85354-9' }));
        for (const c of o.component) {
          const reading = ids
            .map((id) => home.readings.get(id))
            .find((x) => x && METRICS[x.metric as Metric].loinc === c.code.coding![0]!.code) as Reading;
          expect(c.valueQuantity).toEqual({
            value: reading.value,
            unit: 'mm[Hg]',
            system: 'http://unitsofmeasure.org',
            code: 'mm[Hg]',
          });
        }
        expect(o.component.map((c) => c.code.coding![0]!.code)).toEqual(['8480-6', '8462-4', '8478-0']);
      } else if (ids[0]!.includes(':late:')) continue;
      else {
        const reading = home.readings.get(ids[0]!)!;
        expect(o.code.coding![0]).toMatchObject({ system: LOINC, code: METRICS[reading.metric as Metric].loinc });
        expect(o.valueQuantity!.value).toBe(valueOfReading(ids[0]!));
        expect(o.effectiveDateTime).toBe(reading.time);
      }
    }
    expect(fhirProblems(observations)).toEqual([]);
  });

  it('has checks that fail: a broken Observation breaks the FHIR schema and the PHD rules', async () => {
    const good = (await get<Bundle>(`/fhir/R4/Observation?patient=${patientId}&_count=1`)).body.entry![0]!
      .resource as Observation;
    const broken = { ...good, status: 'done', identifier: [], category: [] } as unknown as Observation;
    expect(schemaProblems(broken).join()).toMatch(/status/);
    expect(phdProblems(broken)).toEqual([
      `Observation/${good.id}: no vital-signs category`,
      `Observation/${good.id}: identifier must be the reading id(s)`,
    ]);
  });

  it('validates a whole searchset Bundle against the FHIR R4 schema, with a next link', async () => {
    const r = await get<Bundle>(`/fhir/R4/Observation?patient=${patientId}&_count=5`);
    expect(fhirProblems([r.body])).toEqual([]);
    expect(r.body.link?.map((l) => l.relation)).toEqual(['self', 'next']);
  });

  it('finds blood pressures by the panel code in a date range, and each reads back by its id', async () => {
    const r = await get<Bundle>(
      `/fhir/R4/Observation?patient=${patientId}&code=${encodeURIComponent(`${LOINC}|85354-9`)}&date=ge2026-08-10&date=lt2026-08-12T00:00:00Z`,
    );
    const found = (r.body.entry ?? []).map((e) => e.resource as Observation);
    expect(found).toHaveLength(4);
    for (const o of found) {
      expect(o.effectiveDateTime! >= '2026-08-10' && o.effectiveDateTime! < '2026-08-12').toBe(true);
      const one = await get<Observation>(`/fhir/R4/Observation/${o.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(o);
    }
  });

  it('serves the patient, the cuff (manufacturer and firmware from Device Information) and the gateway as a PHG', async () => {
    // As a gateway reports them: one event per Device Information characteristic, newest wins.
    for (const detail of [
      { manufacturerName: 'A&D', firmwareRevision: '1.0.2' },
      { manufacturerName: 'A&D Medical' },
      { serialNumber: '5140123' },
      { firmwareRevision: '1.0.3' },
    ])
      await t.sql.query(
        `INSERT INTO gateway_events (gateway_id, time, device_id, type, detail) VALUES ($1, clock_timestamp(), $2, 'device_info', $3)`,
        [home.gatewayId, home.cuff, JSON.stringify(detail)],
      );

    const patient = await get(`/fhir/R4/Patient/${patientId}`);
    const cuff = await get<{
      manufacturer?: string;
      serialNumber?: string;
      version?: { value: string }[];
      parent?: { reference: string };
    }>(`/fhir/R4/Device/${deviceResourceId(home.cuff)}`);
    const gateway = await get(`/fhir/R4/Device/${gatewayResourceId(home.gatewayId)}`);
    expect([patient.status, cuff.status, gateway.status]).toEqual([200, 200, 200]);
    expect(cuff.body).toMatchObject({
      manufacturer: 'A&D Medical',
      serialNumber: '5140123',
      version: [{ value: '1.0.3' }],
    });
    expect(cuff.body.parent?.reference).toBe(`Device/${gatewayResourceId(home.gatewayId)}`);
    expect(fhirProblems([patient.body, cuff.body as Resource, gateway.body])).toEqual([]);
  });

  it('answers a care-team outsider 404 OperationOutcome everywhere, and audits the refusals', async () => {
    const anObservation = (await get<Bundle>(`/fhir/R4/Observation?patient=${patientId}&_count=1`)).body.entry![0]!
      .resource!.id;
    for (const url of [
      `/fhir/R4/Patient/${patientId}`,
      `/fhir/R4/Observation?patient=${patientId}`,
      `/fhir/R4/Observation/${anObservation}`,
      `/fhir/R4/Device/${deviceResourceId(home.cuff)}`,
      `/fhir/R4/Device/${gatewayResourceId(home.gatewayId)}`,
    ]) {
      const r = await get<OperationOutcome>(url, outsider);
      expect(r.status, url).toBe(404);
      expect(r.body.resourceType).toBe('OperationOutcome');
      expect(r.body.issue[0]!.code).toBe('not-found');
      expect(JSON.stringify(r.body)).not.toContain('山田');
      expect(fhirProblems([r.body])).toEqual([]);
    }
    const denied = await t.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND patient_id = $1",
      [patientId],
    );
    expect(denied.rows[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('audits every read of the care team’s own calls', async () => {
    const reads = await t.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action IN ('fhir.read', 'fhir.search') AND patient_id = $1",
      [patientId],
    );
    expect(reads.rows[0]!.n).toBeGreaterThan(10);
  });

  it('refuses what it cannot honour with a 400 OperationOutcome, and no token with 401', async () => {
    for (const q of [
      'date=sa2026-01-01',
      'date=yesterday',
      'code=http://loinc.org|0000-0',
      '_cursor=abc',
      '_count=0',
      'unknown=1',
    ]) {
      const r = await get<OperationOutcome>(`/fhir/R4/Observation?patient=${patientId}&${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.resourceType).toBe('OperationOutcome');
    }
    const r = await get<OperationOutcome>(`/fhir/R4/Patient/${patientId}`, null);
    expect(r.status).toBe(401);
    expect(r.body.issue[0]!.code).toBe('login');
    expect(JSON.stringify(r.body)).not.toContain(READING_ID_SYSTEM);
  });
});
