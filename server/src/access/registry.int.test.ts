/**
 * Issue 13: every registered /api/ route, walked as a user of another team, of another
 * organisation and of no team, gives no data of a patient they may not see. The routes are
 * collected from the app (a route added later is walked too); path parameters are filled with
 * the patient's and its alert's and silence's ids, queries and bodies from each route's schema.
 */
import { randomUUID } from 'node:crypto';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';
import { addColleague, joinCareTeam } from '../../test-support/colleagues.ts';
import { hashPassword } from '../auth/secrets.ts';
import { insertAlert } from '../storage/repos/alerts.ts';
import { addMembership, createOrganisation, createUser } from '../storage/repos/people.ts';
import type { AccessDeclaration } from './declaration.ts';

const PATIENT_NAME = '秘密 太郎';

type Schema = { type?: string; format?: string; properties?: Record<string, Schema>; required?: string[] } & Record<
  string,
  unknown
>;

interface Ids {
  patient: string;
  alert: string;
  silence: string;
  item: string;
}

/** A value a schema accepts, as far as a simple reading of it goes (refusals are fine too). */
function sample(name: string, s: Schema | undefined, ids: Ids): unknown {
  if (/patient/i.test(name)) return ids.patient;
  if (!s) return 'x';
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (Array.isArray(s.anyOf)) return sample(name, s.anyOf[0] as Schema, ids);
  switch (s.type) {
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return objectSample(s, ids);
    default:
      if (s.format === 'uuid') return ids.patient;
      if (s.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
      if (s.format === 'date') return '1940-01-01';
      if (name === 'metric') return 'spo2';
      return 'an emergency on the ward'.slice(0, typeof s.maxLength === 'number' ? s.maxLength : undefined);
  }
}

function objectSample(s: Schema, ids: Ids): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.properties ?? {}))
    if (s.required?.includes(k) || /patient/i.test(k)) out[k] = sample(k, v, ids);
  return out;
}

function pathOf(url: string, ids: Ids): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'id' && (url.startsWith('/api/v1/patients/') || url.startsWith('/fhir/R4/Patient/')))
      return ids.patient;
    if (name === 'patientId') return ids.patient;
    if (name === 'id' && url.startsWith('/api/v1/alerts/')) return ids.alert;
    if (name === 'sid' && url.startsWith('/api/v1/silences/')) return ids.silence;
    if (name === 'itemId' && url.startsWith('/api/v1/timeline/')) return ids.item;
    return randomUUID();
  });
}

function requestOf(route: RouteOptions, method: string, ids: Ids) {
  const schema = (route.schema ?? {}) as { querystring?: Schema; body?: Schema };
  const query = schema.querystring ? objectSample(schema.querystring, ids) : {};
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const body = schema.body && method !== 'GET' ? objectSample(schema.body, ids) : undefined;
  return { url: pathOf(route.url, ids) + (qs ? `?${qs}` : ''), body };
}

const declarationOf = (r: RouteOptions): AccessDeclaration | undefined =>
  (r.config as { access?: AccessDeclaration } | undefined)?.access;

/** Routes naming one patient (directly or through an item): a stranger gets 404, never 403. */
const namesAPatient = (d: AccessDeclaration | undefined) => typeof d === 'object' && ('patient' in d || 'item' in d);

// The live stream never ends by itself (stream.int.test.ts covers its scoping); logout would end
// the session the walk uses.
const NOT_WALKED = new Set(['/api/v1/stream', '/api/v1/auth/logout']);

describe('the route registry: no patient data for a user who may not see the patient', () => {
  let t: TestApp;
  let ids: Ids;
  const strangers: { who: string; token: string; sameOrganisation: boolean }[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    const patient = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: PATIENT_NAME })).body.id;
    const now = new Date();
    const alert = (await insertAlert(t.sql, {
      patientId: patient,
      rule: 'spo2_low',
      metric: 'spo2',
      priority: 'high',
      state: 'firing',
      onsetAt: now,
      openedAt: now,
      now,
    }))!.id;
    const silence = (
      await t.api<{ id: string }>('POST', `/api/v1/patients/${patient}/silences`, {
        reason: 'family visit',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      })
    ).body.id;
    const item = (
      await t.api<{ id: string }>('POST', `/api/v1/patients/${patient}/posts`, { body: `${PATIENT_NAME}さんの褥瘡` })
    ).body.id;
    ids = { patient, alert, silence, item };

    const otherTeam = await addColleague(t, { email: 'other-team@clinic.test', profession: 'nurse' });
    const other = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '別の 患者' })).body.id;
    await joinCareTeam(t, other, otherTeam.id, 'member');
    const noTeam = await addColleague(t, { email: 'no-team@clinic.test', profession: 'physician' });
    const orgB = await createOrganisation(t.sql, { name: 'Station B', kind: 'nurse_station' });
    const outsider = await createUser(t.sql, {
      email: 'admin@station-b.test',
      displayName: 'B admin',
      profession: 'nurse',
      passwordHash: await hashPassword('outsider-password-1'),
    });
    await addMembership(t.sql, outsider, orgB, 'admin');
    strangers.push(
      { who: 'a member of another team', token: otherTeam.token, sameOrganisation: true },
      { who: 'a colleague on no team', token: noTeam.token, sameOrganisation: true },
      {
        who: 'an administrator of another organisation',
        token: await t.login('admin@station-b.test', 'outsider-password-1'),
        sameOrganisation: false,
      },
    );
  });
  afterAll(async () => t?.close());

  it('shows the patient to its own care team (the walk below would see a leak)', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/patients/${ids.patient}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(PATIENT_NAME);
  });

  it('answers every route without the patient’s data, and 404 (never 403) where the route names the patient', async () => {
    const routes = t.app.registeredRoutes.filter(
      (r) =>
        (r.url.startsWith('/api/') || r.url.startsWith('/fhir/')) &&
        !r.url.startsWith('/api/docs') &&
        !NOT_WALKED.has(r.url),
    );
    expect(routes.length).toBeGreaterThan(40);
    const problems: string[] = [];
    let walked = 0;
    for (const s of strangers)
      for (const route of routes)
        for (const method of [route.method].flat()) {
          if (method === 'HEAD' || method === 'OPTIONS') continue;
          const d = declarationOf(route);
          // Opening an emergency access is what a colleague of the patient's organisation may do (tested apart).
          if (s.sameOrganisation && typeof d === 'object' && 'need' in d && d.need === 'emergency') continue;
          const { url, body } = requestOf(route, method, ids);
          const r = await t.app.inject({
            method: method as 'GET',
            url,
            headers: {
              authorization: `Bearer ${s.token}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          walked++;
          const where = `${s.who}: ${method} ${url} -> ${r.statusCode}`;
          if (r.statusCode >= 500) problems.push(`${where}: a server error`);
          if (r.body.includes(PATIENT_NAME)) problems.push(`${where}: the patient's name is in the answer`);
          if (r.statusCode < 300 && [ids.patient, ids.alert, ids.item].some((id) => r.body.includes(id)))
            problems.push(`${where}: the patient's, alert's or timeline item's id is in the answer`);
          if (namesAPatient(d) && r.statusCode !== 404 && r.statusCode !== 400)
            problems.push(`${where}: a route naming the patient must answer 404 (or 400 for a bad body)`);
        }
    expect(problems).toEqual([]);
    expect(walked).toBeGreaterThan(120);
  }, 180_000); // every route × three strangers: grows with the API

  it('leaves the patient, its alert and its silence as they were', async () => {
    const alert = await t.api<{ state: string }>('GET', `/api/v1/alerts/${ids.alert}`);
    expect(alert.body.state).toBe('firing');
    const silences = await t.api<{ id: string; endedAt?: string }[]>('GET', `/api/v1/patients/${ids.patient}/silences`);
    expect(silences.body.find((x) => x.id === ids.silence)?.endedAt).toBeUndefined();
    const team = await t.api<unknown[]>('GET', `/api/v1/patients/${ids.patient}/team`);
    expect(team.body).toHaveLength(1);
  });

  it('audits the refusals of the patient’s routes as access.denied', async () => {
    const r = await t.sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied' AND patient_id = $1",
      [ids.patient],
    );
    expect(r.rows[0]!.n).toBeGreaterThan(30);
  });
});
