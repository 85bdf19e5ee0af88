/**
 * Issue 17: FHIR Bulk Data export. A group export of 20 patients × 3 days completes with
 * progress, its NDJSON files hold every reading exactly once and validate against the FHIR R4
 * schema and the PHD IG rules; a patient export by a care-team outsider is 404, and a job is
 * its requester's alone. (The 500 × 30 size is `pnpm -s bench fhir`.) One app for the file.
 */
import { randomUUID } from 'node:crypto';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { seedHome } from '../../../test-support/fhir-data.ts';
import { fhirProblems } from '../../../test-support/fhir-validation.ts';
import { createExport } from '../../storage/repos/fhir-exports.ts';

const PATIENTS = 20;
const DAYS = 3;

describe('FHIR bulk export', () => {
  let t: TestApp;
  let orgId: string;
  const readingIds = new Set<string>();
  const patients: string[] = [];
  let outsider: string;

  const call = async (method: 'GET' | 'DELETE', url: string, token: string | null = t.token) => {
    const r = await t.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: r.statusCode, headers: r.headers, body: r.body };
  };
  const pathOf = (u: string) => new URL(u).pathname;

  beforeAll(async () => {
    t = await buildTestApp();
    orgId = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
    for (let i = 0; i < PATIENTS; i++) {
      const id = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: `患者 ${i}` })).body.id;
      patients.push(id);
      const home = await seedHome(t, {
        patientId: id,
        tag: `${10 + i}`,
        days: DAYS,
        start: new Date('2026-11-01T00:00:00Z'),
        direct: true,
      });
      for (const r of home.readings.keys()) readingIds.add(r);
    }
    outsider = (await addColleague(t, { email: 'export-outsider@clinic.test' })).token;
  });
  afterAll(async () => t?.close());

  it('exports a group with progress, and its NDJSON holds every reading once and validates', async () => {
    const kick = await call('GET', `/fhir/R4/Group/${orgId}/$export?_type=Patient,Observation,Device`);
    expect(kick.status).toBe(202);
    const status = pathOf(String(kick.headers['content-location']));
    let r = await call('GET', status);
    const progress: string[] = [];
    for (let i = 0; r.status === 202 && i < 600; i++) {
      progress.push(String(r.headers['x-progress']));
      await new Promise((done) => setTimeout(done, 100));
      r = await call('GET', status);
    }
    expect(r.status).toBe(200);
    expect(progress[0]).toMatch(/^\d+% \(\d+ of 20 patients\)$/);
    const manifest = JSON.parse(r.body) as { transactionTime: string; output: { type: string; url: string }[] };
    expect(manifest.output.map((o) => o.type).sort()).toEqual(['Device', 'Observation', 'Patient']);

    const resources: Resource[] = [];
    for (const o of manifest.output) {
      const f = await call('GET', pathOf(o.url));
      expect(f.status).toBe(200);
      expect(f.headers['content-type']).toMatch(/^application\/fhir\+ndjson/);
      for (const line of f.body.split('\n').filter(Boolean)) resources.push(JSON.parse(line) as Resource);
    }
    const observations = resources.filter((x): x is Observation => x.resourceType === 'Observation');
    const seen = observations.flatMap((o) => o.identifier!.map((i) => i.value!));
    expect(seen.length).toBe(readingIds.size);
    expect(new Set(seen)).toEqual(readingIds);
    expect(resources.filter((x) => x.resourceType === 'Patient')).toHaveLength(PATIENTS);
    expect(resources.filter((x) => x.resourceType === 'Device')).toHaveLength(PATIENTS * 3);
    expect(fhirProblems(resources)).toEqual([]);
    const audited = await t.sql.query<{ n: number }>(
      "SELECT count(DISTINCT patient_id)::int AS n FROM audit_log WHERE action = 'fhir.export.download'",
    );
    expect(audited.rows[0]!.n).toBe(PATIENTS);
  });

  it('exports one patient since a time, and refuses a care-team outsider with 404', async () => {
    const kick = await call(
      'GET',
      `/fhir/R4/Patient/${patients[0]}/$export?_type=Observation&_since=2026-01-01T00:00:00Z`,
    );
    expect(kick.status).toBe(202);
    const status = pathOf(String(kick.headers['content-location']));
    expect((await call('GET', status, outsider)).status).toBe(404);
    expect((await call('GET', `/fhir/R4/Patient/${patients[0]}/$export`, outsider)).status).toBe(404);
    expect((await call('GET', `/fhir/R4/Group/${orgId}/$export`, outsider)).status).toBe(404);
    let r = await call('GET', status);
    for (let i = 0; r.status === 202 && i < 600; i++) {
      await new Promise((done) => setTimeout(done, 100));
      r = await call('GET', status);
    }
    const manifest = JSON.parse(r.body) as { output: { url: string }[] };
    expect(manifest.output).toHaveLength(1);
    const lines = (await call('GET', pathOf(manifest.output[0]!.url))).body.split('\n').filter(Boolean);
    expect(lines).toHaveLength(DAYS * 5);
    expect((await call('GET', pathOf(manifest.output[0]!.url), outsider)).status).toBe(404);
  });

  it('goes on from its cursor when the instance that ran a job died, every patient once', async () => {
    const me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    const ids = [...patients].sort();
    const job = await createExport(t.sql, {
      id: randomUUID(),
      userId: me,
      clientId: null,
      organisationId: null,
      requestUrl: 'http://x/fhir/R4/Group/x/$export',
      patientIds: ids,
      types: ['Patient'],
      since: null,
    });
    // Claimed by an instance that recorded its first chunk and died: its lease runs out.
    await t.sql.query(
      `UPDATE fhir_exports SET status = 'running', done_patients = 7, files = $2, lease_until = now() - interval '1 second'
        WHERE id = $1`,
      [job.id, JSON.stringify([{ type: 'Patient', patients: ids.slice(0, 7) }])],
    );
    let r = await call('GET', `/fhir/R4/$export-status/${job.id}`);
    for (let i = 0; r.status === 202 && i < 600; i++) {
      await new Promise((done) => setTimeout(done, 100));
      r = await call('GET', `/fhir/R4/$export-status/${job.id}`);
    }
    expect(r.status).toBe(200);
    const manifest = JSON.parse(r.body) as { output: { url: string }[] };
    expect(manifest.output).toHaveLength(2);
    const exported: string[] = [];
    for (const o of manifest.output)
      for (const line of (await call('GET', pathOf(o.url))).body.split('\n').filter(Boolean))
        exported.push((JSON.parse(line) as { id: string }).id);
    expect(exported).toEqual(ids);
  });

  it('refuses types it does not export and a _since that is no instant', async () => {
    expect((await call('GET', `/fhir/R4/Patient/${patients[0]}/$export?_type=MedicationRequest`)).status).toBe(400);
    expect((await call('GET', `/fhir/R4/Patient/${patients[0]}/$export?_since=yesterday`)).status).toBe(400);
  });
});
