/**
 * Issue 13's IDOR matrix: two organisations, four users (an administrator and a nurse in each;
 * the administrators registered one patient each, nurse A is on P1's team, nurse B only on
 * P2's), two patients, every route that names a patient. Expected: the team reads and changes;
 * a member who is not the attending physician or lead gets 403 on lead-only changes; everyone
 * else gets 404 on everything, so no id of the other organisation's patient is confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';
import { hashPassword } from '../auth/secrets.ts';
import { insertAlert } from '../storage/repos/alerts.ts';
import { addMembership, createOrganisation, createUser } from '../storage/repos/people.ts';

type Need = 'read' | 'write' | 'lead';
type UserName = 'adminA' | 'nurseA' | 'adminB' | 'nurseB';
type PatientName = 'P1' | 'P2';

interface Target {
  patient: string;
  alert: string;
  /** The nurse of the patient's organisation: the lead adds them again (an update, 200). */
  nurse: string;
  /** A team post on the patient's timeline. */
  item: string;
}

const soon = () => new Date(Date.now() + 3_600_000).toISOString();
const reason = 'checked with the family';

/** Every route naming a patient, as a request for one patient, with the access it needs. */
const ROUTES: [string, (x: Target) => string, Need, ((x: Target) => unknown)?][] = [
  ['GET', (x) => `/api/v1/patients/${x.patient}`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/latest`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/readings?metric=spo2`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/team`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/silences`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/schedules`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/absences`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/alert-rules`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/alert-settings/history`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/escalation-policy`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/emergency-access`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/observations`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/news2`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/timeline?q=x`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/summary-text`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/post-tags`, 'read'],
  ['GET', (x) => `/api/v1/patients/${x.patient}/post-templates`, 'read'],
  ['GET', (x) => `/api/v1/timeline/${x.item}`, 'read'],
  ['GET', (x) => `/api/v1/timeline/${x.item}/text`, 'read'],
  ['GET', (x) => `/api/v1/timeline/${x.item}/replies`, 'read'],
  ['GET', (x) => `/api/v1/timeline/${x.item}/revisions`, 'read'],
  ['GET', (x) => `/api/v1/alerts?patientId=${x.patient}`, 'read'],
  ['GET', (x) => `/api/v1/alerts/${x.alert}`, 'read'],
  ['GET', (x) => `/api/v1/alerts/${x.alert}/events`, 'read'],
  ['GET', (x) => `/api/v1/alerts/${x.alert}/deliveries`, 'read'],
  ['POST', (x) => `/api/v1/patients/${x.patient}/silences`, 'write', () => ({ reason, expiresAt: soon() })],
  ['POST', (x) => `/api/v1/patients/${x.patient}/absences`, 'write', () => ({ reason, endsAt: soon() })],
  ['POST', (x) => `/api/v1/patients/${x.patient}/schedules`, 'write', () => ({ metric: 'spo2', dueTime: '09:00' })],
  ['POST', (x) => `/api/v1/alerts/${x.alert}/ack`, 'write', () => ({ note: 'seen' })],
  ['POST', (x) => `/api/v1/patients/${x.patient}/posts`, 'write', () => ({ body: '訪問しました' })],
  ['POST', (x) => `/api/v1/timeline/${x.item}/read`, 'write'],
  ['PUT', (x) => `/api/v1/patients/${x.patient}/timeline/digest`, 'write', () => ({ time: '07:30' })],
  [
    'POST',
    (x) => `/api/v1/patients/${x.patient}/observations`,
    'write',
    () => ({ readings: [{ metric: 'body_temperature', value: 36.8 }] }),
  ],
  [
    'POST',
    () => '/api/v1/bindings',
    'write',
    (x) => ({ deviceId: `ble:00:00:00:00:00:${x.patient.slice(0, 2)}`, patientId: x.patient }),
  ],
  ['PUT', (x) => `/api/v1/patients/${x.patient}/targets/spo2`, 'lead', () => ({ low: 90, reason })],
  ['PUT', (x) => `/api/v1/patients/${x.patient}/alert-rules/news2`, 'lead', () => ({ enabled: true, reason })],
  [
    'PUT',
    (x) => `/api/v1/patients/${x.patient}/escalation-policy`,
    'lead',
    () => ({ reason, steps: [{ delayMinutes: 5, targets: [{ type: 'team_role', role: 'attending' }] }] }),
  ],
  ['POST', (x) => `/api/v1/patients/${x.patient}/team`, 'lead', (x) => ({ userId: x.nurse })],
  ['PATCH', (x) => `/api/v1/patients/${x.patient}`, 'lead', () => ({ timezone: 'Asia/Tokyo' })],
];

/** The matrix: what each user gets for each patient, by what the route needs. */
const EXPECTED: Record<UserName, Record<PatientName, Record<Need, '2xx' | 403 | 404>>> = {
  adminA: { P1: { read: '2xx', write: '2xx', lead: '2xx' }, P2: { read: 404, write: 404, lead: 404 } },
  nurseA: { P1: { read: '2xx', write: '2xx', lead: 403 }, P2: { read: 404, write: 404, lead: 404 } },
  adminB: { P1: { read: 404, write: 404, lead: 404 }, P2: { read: '2xx', write: '2xx', lead: '2xx' } },
  nurseB: { P1: { read: 404, write: 404, lead: 404 }, P2: { read: '2xx', write: '2xx', lead: 403 } },
};

describe('IDOR matrix: two organisations, four users, two patients, every patient route', () => {
  let t: TestApp;
  const tokens = {} as Record<UserName, string>;
  const targets = {} as Record<PatientName, Target>;

  beforeAll(async () => {
    t = await buildTestApp();
    tokens.adminA = t.token;
    const me = await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
    const orgA = me.body.organisations[0]!.organisationId;
    const orgB = await createOrganisation(t.sql, { name: 'Station B', kind: 'nurse_station' });
    const person = async (email: string, profession: string, org: string, role: 'admin' | 'staff') => {
      const id = await createUser(t.sql, {
        email,
        displayName: email,
        profession,
        passwordHash: await hashPassword('matrix-password-1'),
      });
      await addMembership(t.sql, id, org, role);
      return { id, token: await t.login(email, 'matrix-password-1') };
    };
    const nurseA = await person('nurse@clinic-a.test', 'nurse', orgA, 'staff');
    const adminB = await person('admin@station-b.test', 'physician', orgB, 'admin');
    const nurseB = await person('nurse@station-b.test', 'nurse', orgB, 'staff');
    tokens.nurseA = nurseA.token;
    tokens.adminB = adminB.token;
    tokens.nurseB = nurseB.token;
    const register = async (token: string, displayName: string, nurse: string): Promise<Target> => {
      const patient = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName }, token)).body.id;
      const added = await t.api('POST', `/api/v1/patients/${patient}/team`, { userId: nurse }, token);
      expect(added.status).toBe(201);
      const now = new Date();
      const alert = (await insertAlert(t.sql, {
        patientId: patient,
        rule: 'spo2_low',
        metric: 'spo2',
        priority: 'medium',
        state: 'firing',
        onsetAt: now,
        openedAt: now,
        now,
      }))!.id;
      const item = (await t.api<{ id: string }>('POST', `/api/v1/patients/${patient}/posts`, { body: 'x' }, token)).body
        .id;
      return { patient, alert, nurse, item };
    };
    targets.P1 = await register(t.token, '患者 一', nurseA.id);
    targets.P2 = await register(adminB.token, '患者 二', nurseB.id);
  });
  afterAll(async () => t?.close());

  it('answers every cell as the matrix says', async () => {
    const wrong: string[] = [];
    for (const user of Object.keys(EXPECTED) as UserName[])
      for (const pn of ['P1', 'P2'] as const)
        for (const [method, path, need, body] of ROUTES) {
          const x = targets[pn];
          const r = await t.api(method, path(x), body?.(x), tokens[user]);
          const want = EXPECTED[user][pn][need];
          const ok = want === '2xx' ? r.status >= 200 && r.status < 300 : r.status === want;
          if (!ok) wrong.push(`${user} ${method} ${path(x)} (${pn}, ${need}): ${r.status}, expected ${want}`);
          if (want === 404 && JSON.stringify(r.body).includes(x.patient))
            wrong.push(`${user} ${method} ${path(x)}: the refusal names the patient`);
        }
    expect(wrong).toEqual([]);
  }, 180_000); // every route × every caller: grows with the API, and slows on a loaded CI machine

  it('lists for each user only the patients of their teams', async () => {
    const ids = async (user: UserName) =>
      (await t.api<{ id: string }[]>('GET', '/api/v1/patients', undefined, tokens[user])).body.map((p) => p.id);
    expect(await ids('adminA')).toEqual([targets.P1.patient]);
    expect(await ids('nurseA')).toEqual([targets.P1.patient]);
    expect(await ids('adminB')).toEqual([targets.P2.patient]);
    expect(await ids('nurseB')).toEqual([targets.P2.patient]);
    const alerts = await t.api<{ patientId: string }[]>('GET', '/api/v1/alerts', undefined, tokens.nurseB);
    expect(new Set(alerts.body.map((a) => a.patientId))).toEqual(new Set([targets.P2.patient]));
  });
});
