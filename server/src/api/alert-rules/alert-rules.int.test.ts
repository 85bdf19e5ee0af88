/** Alert rule routes through inject(): defaults, a patient's effective rules, overrides and who may change them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };
type Rules = { rules: { id: string; enabled: boolean; effective?: { bands?: Record<string, number> } }[] };

describe('alert rule routes', () => {
  let t: TestApp;
  let patientId: string;
  let member: Colleague;
  let outsider: Colleague;
  const rules = () => `/api/v1/patients/${patientId}/alert-rules`;

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    member = await addColleague(t, { email: 'member@c.test' });
    await joinCareTeam(t, patientId, member.id, 'member');
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it('lists the default rules and the other rules that take per-patient settings, to a logged-in caller only', async () => {
    expect((await t.api('GET', '/api/v1/alert-rules', undefined, null)).status).toBe(401);
    const r = await t.api<{ rules: { id: string; kind: string }[]; other: Record<string, string> }>(
      'GET',
      '/api/v1/alert-rules',
    );
    expect(r.status).toBe(200);
    expect(r.body.rules.find((x) => x.id === 'spo2_low')).toEqual({
      id: 'spo2_low',
      kind: 'threshold',
      metric: 'spo2',
      direction: 'below',
      bands: { high: 90, medium: 93 },
      inclusive: { high: false, medium: false },
      hysteresis: 1,
      sustainSeconds: 120,
    });
    expect(r.body.rules.find((x) => x.id === 'weight_gain')).toMatchObject({ kind: 'trend', priority: 'medium' });
    expect(Object.keys(r.body.other)).toEqual(['news2', 'device_silent']);
  });

  it('refuses an override that breaks band nesting and says why', async () => {
    const r = await t.api<Err>('PUT', `${rules()}/spo2_low`, { bands: { high: 95 }, reason: 'test nesting' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      'spo2_low: the high limit (95) must be at or below the medium limit (93); bands are nested',
    );
  });

  it.each([
    ['an unknown rule', 404, 'nope', { reason: 'unknown rule' }],
    ['an override without a reason', 400, 'pulse_high', { bands: { high: 140 } }],
    ['an unknown field', 400, 'pulse_high', { reason: 'a field too many', threshold: 140 }],
    ['a limit that is not a number', 400, 'pulse_high', { reason: 'a word as limit', bands: { high: 'very' } }],
    ['a number beyond any limit', 400, 'pulse_high', { reason: 'an infinite band', bands: { medium: '1e400' } }],
    ['an infinite hysteresis', 400, 'pulse_high', { reason: 'infinite hysteresis', hysteresis: '1e400' }],
  ] as const)('answers %s with %d', async (_what, status, rule, body) => {
    const r = await t.api<Err>('PUT', `${rules()}/${rule}`, body);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(5);
  });

  it('turns a rule off and back to the defaults, with a reason kept in the history and the audit log', async () => {
    const off = await t.api('PUT', `${rules()}/pulse_high`, { enabled: false, reason: 'beta blocker trial' });
    expect(off).toEqual({
      status: 200,
      body: { rule: 'pulse_high', override: { enabled: false }, reason: 'beta blocker trial' },
    });
    const read = await t.api<Rules & { overrides: { rule: string; reason: string; changedBy: string }[] }>(
      'GET',
      rules(),
    );
    const pulse = read.body.rules.find((x) => x.id === 'pulse_high')!;
    expect(pulse.enabled).toBe(false);
    expect(pulse.effective).toBeUndefined();
    expect(read.body.overrides).toEqual([
      {
        rule: 'pulse_high',
        override: { enabled: false },
        reason: 'beta blocker trial',
        changedBy: expect.any(String),
        changedAt: expect.any(String),
      },
    ]);

    expect((await t.api('DELETE', `${rules()}/pulse_high`, {})).status).toBe(400);
    expect((await t.api('DELETE', `${rules()}/pulse_high`, { reason: 'trial ended' })).status).toBe(204);
    const after = await t.api<Rules & { overrides: unknown[] }>('GET', rules());
    expect(after.body.rules.find((x) => x.id === 'pulse_high')!.enabled).toBe(true);
    expect(after.body.overrides).toEqual([]);
    const history = await t.api<{ what: string; reason: string; after: unknown }[]>(
      'GET',
      `/api/v1/patients/${patientId}/alert-settings/history`,
    );
    expect(history.body.map((h) => [h.what, h.reason, h.after])).toEqual([
      ['rule:pulse_high', 'trial ended', null],
      ['rule:pulse_high', 'beta blocker trial', { enabled: false }],
    ]);
    // Reads are audited too (the access core), between the changes.
    const actions = (await auditTrail(t.sql, patientId))
      .map((a) => a.action)
      .filter((a) => a.startsWith('alert_rule.'));
    expect(actions.slice(0, 2)).toEqual(['alert_rule.reset', 'alert_rule.change']);
  });

  it('lets a care-team member read the rules but not change them, and hides the patient from an outsider', async () => {
    expect((await t.api('GET', rules(), undefined, member.token)).status).toBe(200);
    const change = await t.api<Err>('PUT', `${rules()}/pulse_high`, { enabled: false, reason: 'member' }, member.token);
    expect(change.status).toBe(403);
    expect(change.body.error.message).toMatch(/attending physician or the team lead/);
    expect((await t.api('DELETE', `${rules()}/pulse_high`, { reason: 'member' }, member.token)).status).toBe(403);
    expect((await t.api('GET', rules(), undefined, outsider.token)).status).toBe(404);
    expect((await t.api('PUT', `${rules()}/pulse_high`, { reason: 'outsider' }, outsider.token)).status).toBe(404);
  });
});
