/**
 * The access core remembers a member's grant for a few seconds (issue 13's read cost), and a
 * change of the team or the patient ends it at once: every step below reads right after a change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';
import { addColleague, type Colleague } from '../../test-support/colleagues.ts';

describe('remembered grants end with the change that ends them', () => {
  let t: TestApp;
  let nurse: Colleague;
  let patientId: string;
  const read = async () => (await t.api('GET', `/api/v1/patients/${patientId}/latest`, undefined, nurse.token)).status;

  beforeAll(async () => {
    t = await buildTestApp();
    nurse = await addColleague(t, { email: 'cache-nurse@station.test', profession: 'nurse' });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '記憶 花子' })).body.id;
    expect((await t.api('POST', `/api/v1/patients/${patientId}/team`, { userId: nurse.id })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('refuses at once when the vitals become more sensitive than the member’s clearance, and lets in again at once', async () => {
    expect(await read()).toBe(200);
    expect(await read()).toBe(200);
    const up = await t.api('PATCH', `/api/v1/patients/${patientId}`, { vitalsSensitivity: 'restricted' });
    expect(up.status).toBe(200);
    expect(await read()).toBe(404);
    await t.api('PATCH', `/api/v1/patients/${patientId}`, { vitalsSensitivity: 'clinical' });
    expect(await read()).toBe(200);
  });

  it('refuses at once when the member’s clearance is lowered, and when they leave the team', async () => {
    expect(await read()).toBe(200);
    const lowered = await t.api('POST', `/api/v1/patients/${patientId}/team`, { userId: nurse.id, clearance: 'team' });
    expect(lowered.status).toBe(200);
    expect(await read()).toBe(404);
    await t.api('POST', `/api/v1/patients/${patientId}/team`, { userId: nurse.id, clearance: 'clinical' });
    expect(await read()).toBe(200);
    expect((await t.api('DELETE', `/api/v1/patients/${patientId}/team/${nurse.id}`)).status).toBe(204);
    expect(await read()).toBe(404);
  });

  it('shows a renamed patient by the new name at once', async () => {
    await t.api('POST', `/api/v1/patients/${patientId}/team`, { userId: nurse.id });
    const before = await t.api<{ displayName: string }>('GET', `/api/v1/patients/${patientId}`, undefined, nurse.token);
    expect(before.body.displayName).toBe('記憶 花子');
    await t.api('PATCH', `/api/v1/patients/${patientId}`, { displayName: '記憶 春子' });
    const after = await t.api<{ displayName: string }>('GET', `/api/v1/patients/${patientId}`, undefined, nurse.token);
    expect(after.body.displayName).toBe('記憶 春子');
  });
});
