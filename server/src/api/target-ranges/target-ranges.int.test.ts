/** Target range routes through inject(): a range moves the rule limits, is checked, kept in the history and audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };
type Rules = { rules: { id: string; effective?: { bands: Record<string, number> } }[] };

describe('target range routes', () => {
  let t: TestApp;
  let patientId: string;
  let member: Colleague;
  let outsider: Colleague;
  const targets = (metric: string) => `/api/v1/patients/${patientId}/targets/${metric}`;
  const spo2Bands = async () =>
    (await t.api<Rules>('GET', `/api/v1/patients/${patientId}/alert-rules`)).body.rules.find(
      (x) => x.id === 'spo2_low',
    )!.effective!.bands;

  beforeAll(async () => {
    t = await buildTestApp({ env: { VITALS_ADMIN_NAME: 'Dr. Sato' } });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    member = await addColleague(t, { email: 'member@c.test' });
    await joinCareTeam(t, patientId, member.id, 'member');
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it.each([
    ['an unknown metric', 'mood', { low: 1, reason: 'unknown metric' }, 'unknown metric "mood"'],
    ['a reversed range', 'spo2', { low: 92, high: 88, reason: 'reversed' }, 'low must not be above high'],
    ['a range without edges', 'spo2', { reason: 'no edges' }, 'give low, high or both'],
    ['an infinite edge', 'spo2', { low: '1e400', reason: 'infinite' }, 'body/low must be a finite number'],
  ])('refuses %s and says why', async (_what, metric, body, message) => {
    const r = await t.api<Err>('PUT', targets(metric), body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(message);
  });

  it('keeps a patient outside the care team invisible and its target ranges unchangeable', async () => {
    expect((await t.api('PUT', targets('spo2'), { low: 88, reason: 'outsider' }, outsider.token)).status).toBe(404);
    expect((await t.api('DELETE', targets('spo2'), { reason: 'outsider' }, outsider.token)).status).toBe(404);
    const r = await t.api<Err>('PUT', targets('spo2'), { low: 88, reason: 'member' }, member.token);
    expect(r.status).toBe(403);
  });

  it('shows the effective rules after a target range and keeps the history', async () => {
    const set = await t.api('PUT', targets('spo2'), { low: 88, high: 92, reason: 'COPD, target 88-92' });
    expect(set).toEqual({ status: 200, body: { metric: 'spo2', low: 88, high: 92, reason: 'COPD, target 88-92' } });
    expect(await spo2Bands()).toEqual({ high: 85, medium: 88 });
    const h = await t.api<{ what: string; reason: string; changedByName: string }[]>(
      'GET',
      `/api/v1/patients/${patientId}/alert-settings/history`,
    );
    expect(h.body[0]).toMatchObject({ what: 'target:spo2', reason: 'COPD, target 88-92', changedByName: 'Dr. Sato' });
  });

  it('refuses a target range that would break a rule override of the metric', async () => {
    const o = await t.api('PUT', `/api/v1/patients/${patientId}/alert-rules/spo2_low`, {
      bands: { high: 80 },
      reason: 'high band fixed at 80',
    });
    expect(o.status).toBe(200);
    const r = await t.api<Err>('PUT', targets('spo2'), { low: 78, reason: 'a range below the fixed band' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^this target range breaks a rule override: spo2_low: the high limit \(80\)/);
  });

  it('removes a target range with a reason, so the default limits apply again', async () => {
    expect(
      (await t.api('DELETE', `/api/v1/patients/${patientId}/alert-rules/spo2_low`, { reason: 'undo' })).status,
    ).toBe(204);
    expect((await t.api('DELETE', targets('spo2'))).status).toBe(400);
    expect((await t.api('DELETE', targets('spo2'), { reason: 'COPD ruled out' })).status).toBe(204);
    expect(await spo2Bands()).toEqual({ high: 90, medium: 93 });
    const actions = (await auditTrail(t.sql, patientId)).map((a) => a.action).filter((a) => a !== 'patient.read');
    expect(actions[0]).toBe('alert_target.reset');
    expect(actions).toContain('alert_target.change');
  });
});
