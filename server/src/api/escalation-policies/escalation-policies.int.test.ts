/**
 * Escalation policy routes through inject(): the default, every problem reported at once, who
 * may set one, and the policy kept as its targets' shapes. Who a policy may name is tested in
 * notify/escalation-scope.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };

/** What each priority does unless a policy says otherwise (notify/priority-policy.ts). */
const DEFAULTS = {
  high: { page: true, escalations: null },
  medium: { page: true, escalations: 1 },
  low: { page: false, escalations: 0 },
};

describe('escalation policy routes', () => {
  let t: TestApp;
  let patientId: string;
  let member: Colleague;
  let outsider: Colleague;
  const policy = () => `/api/v1/patients/${patientId}/escalation-policy`;

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    member = await addColleague(t, { email: 'member@c.test' });
    await joinCareTeam(t, patientId, member.id, 'member');
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it('answers the default policy while the patient has none', async () => {
    expect(await t.api('GET', policy(), undefined, member.token)).toEqual({
      status: 200,
      body: {
        steps: [
          {
            targets: [
              { type: 'team_role', role: 'attending' },
              { type: 'team_role', role: 'lead' },
            ],
            delayMinutes: 15,
          },
        ],
        repeatLimit: null,
        priorities: DEFAULTS,
        default: true,
      },
    });
  });

  it('reports every problem of an escalation policy at once', async () => {
    const r = await t.api<Err>('PUT', policy(), {
      reason: 'bad policy',
      steps: [
        {
          targets: [{ type: 'rota', rotaId: '00000000-0000-4000-8000-000000000000' }, { type: 'user' }],
          delayMinutes: 0,
        },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      'steps[0].delayMinutes must be 1 to 1440; steps[0].targets[1]: a user target needs userId; rota 00000000-0000-4000-8000-000000000000 does not exist',
    );
  });

  it('names the step and target as sent when a target lacking its id comes before one the policy may not name', async () => {
    const r = await t.api<Err>('PUT', policy(), {
      reason: 'stranger after a broken target',
      steps: [{ targets: [{ type: 'team_role' }, { type: 'user', userId: outsider.id }], delayMinutes: 5 }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      `steps[0].targets[0]: a team_role target needs role; steps[0].targets[1]: user ${outsider.id} is not on this patient's care team; name care-team members only`,
    );
  });

  it('lets the team lead set a policy, kept without fields its targets do not use, and audited', async () => {
    const sent = {
      reason: 'member first, then the lead',
      repeatLimit: 3,
      steps: [
        { targets: [{ type: 'user', userId: member.id, role: 'lead' }], delayMinutes: 10 },
        { targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 20 },
      ],
    };
    const kept = {
      steps: [
        { targets: [{ type: 'user', userId: member.id }], delayMinutes: 10 },
        { targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 20 },
      ],
      repeatLimit: 3,
      priorities: DEFAULTS,
    };
    expect(await t.api('PUT', policy(), sent)).toEqual({
      status: 200,
      body: { ...kept, reason: 'member first, then the lead', default: false },
    });
    expect(await t.api('GET', policy())).toEqual({
      status: 200,
      body: {
        ...kept,
        reason: 'member first, then the lead',
        changedBy: expect.any(String),
        changedAt: expect.any(String),
        default: false,
      },
    });
    // Reads of the patient's settings are audited too (the access core); the last change is this one.
    expect((await auditTrail(t.sql, patientId)).find((a) => a.action !== 'patient.read')?.action).toBe(
      'escalation_policy.change',
    );
  });

  it.each([
    {
      sent: { ...DEFAULTS, medium: { page: true, escalations: null }, low: { page: true, escalations: 0 } },
      problem: null,
    },
    {
      sent: { ...DEFAULTS, high: { page: false, escalations: null } },
      problem: 'priorities.high.page must be true: a high-priority alert always pages',
    },
    {
      sent: { ...DEFAULTS, medium: { page: true, escalations: -1 } },
      problem: 'priorities.medium.escalations must be a whole number from 0 to 1000, or null until acknowledged',
    },
  ])('keeps what each priority does as the lead sets it, or refuses it: $problem', async ({ sent, problem }) => {
    const r = await t.api<Err | { priorities: unknown }>('PUT', policy(), {
      reason: 'this patient needs medium alerts chased',
      steps: [{ targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 5 }],
      priorities: sent,
    });
    if (problem === null) {
      expect(r.status).toBe(200);
      expect((await t.api<{ priorities: unknown }>('GET', policy())).body.priorities).toEqual(sent);
    } else {
      expect(r.status).toBe(400);
      expect((r.body as Err).error.message).toBe(problem);
    }
  });

  it('keeps a policy that repeats until acknowledged (repeatLimit null, not coerced to 0 and refused)', async () => {
    const r = await t.api<{ repeatLimit: number | null }>('PUT', policy(), {
      reason: 'repeat until someone answers',
      repeatLimit: null,
      steps: [{ targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 5 }],
    });
    expect(r).toMatchObject({ status: 200, body: { repeatLimit: null } });
  });

  it('refuses a policy from a care-team member who is not the lead, and hides the patient from an outsider', async () => {
    const body = { reason: 'member', steps: [{ targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 5 }] };
    expect((await t.api('PUT', policy(), body, member.token)).status).toBe(403);
    expect((await t.api('PUT', policy(), body, outsider.token)).status).toBe(404);
    expect((await t.api('GET', policy(), undefined, outsider.token)).status).toBe(404);
  });
});
