/**
 * On-call rota routes through inject() on the real app: who is on call, shift swaps, the rota's
 * organisation as the boundary of who sees and changes it, and the audit of every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

type Err = { error: { code: string; message: string } };
type ApiRota = { id: string; organisationId: string; members: string[] };

describe('on-call rota routes', () => {
  let t: TestApp;
  let org: string;
  let me: string;
  let nurseId: string;
  let nurse: string;
  let otherAdmin: string;

  const person = async (email: string, organisationId: string, role: 'admin' | 'staff') => {
    const id = await createUser(t.sql, {
      email,
      displayName: `Person ${email}`,
      profession: 'nurse',
      passwordHash: await hashPassword('person-password-1'),
    });
    await addMembership(t.sql, id, organisationId, role);
    return { id, token: await t.login(email, 'person-password-1') };
  };

  const newRota = async (body: Record<string, unknown>, token?: string) =>
    t.api<ApiRota>('POST', '/api/v1/rotas', { name: 'Clinic doctor on call', members: [me], ...body }, token);

  beforeAll(async () => {
    t = await buildTestApp();
    org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    ({ id: nurseId, token: nurse } = await person('nurse@clinic.test', org, 'staff'));
    const other = await createOrganisation(t.sql, { name: 'Other station', kind: 'nurse_station' });
    otherAdmin = (await person('admin@other.test', other, 'admin')).token;
  });
  afterAll(async () => t?.close());

  it('creates a rota, answers who is on call in Tokyo time, and lets an override win', async () => {
    const r = await newRota({ members: [me, nurseId], handoverTime: '08:30', startDate: '2026-11-24' });
    expect(r.status).toBe(201);
    const at = (iso: string) => t.api<{ userId: string }>('GET', `/api/v1/rotas/${r.body.id}/on-call?at=${iso}`);
    expect((await at('2026-11-24T00:00:00.000Z')).body.userId).toBe(me); // 09:00 Tokyo
    expect((await at('2026-11-24T23:29:00.000Z')).body.userId).toBe(me); // 08:29 next day
    expect((await at('2026-11-24T23:30:00.000Z')).body.userId).toBe(nurseId);
    const o = await t.api('POST', `/api/v1/rotas/${r.body.id}/overrides`, {
      userId: me,
      from: '2026-11-25T00:00:00.000Z',
      to: '2026-11-25T12:00:00.000Z',
    });
    expect(o.status).toBe(201);
    expect((await at('2026-11-25T03:00:00.000Z')).body.userId).toBe(me);
    // A colleague of the same organisation sees the rota but only its administrators change it.
    expect((await t.api('GET', `/api/v1/rotas/${r.body.id}`, undefined, nurse)).status).toBe(200);
    expect((await t.api('PUT', `/api/v1/rotas/${r.body.id}`, { name: 'x', members: [] }, nurse)).status).toBe(403);
  });

  it('answers a rota with its defaults filled in and its overrides as times', async () => {
    const r = await newRota({ name: '  Night  nurse ', startDate: '2026-11-01', members: [nurseId] });
    expect(r).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        organisationId: org,
        name: 'Night nurse',
        timezone: 'Asia/Tokyo',
        handoverTime: '09:00',
        shiftDays: 1,
        startDate: '2026-11-01',
        members: [nurseId],
        overrides: [],
      },
    });
    const o = await t.api<{ overrides: unknown[] }>('POST', `/api/v1/rotas/${r.body.id}/overrides`, {
      userId: me,
      from: '2026-11-28T00:00:00+09:00',
      to: '2026-11-29T00:00:00+09:00',
      reason: 'swap with the nurse',
    });
    expect(o.body.overrides).toEqual([
      { userId: me, from: '2026-11-27T15:00:00.000Z', to: '2026-11-28T15:00:00.000Z' },
    ]);
    const u = await t.api('PUT', `/api/v1/rotas/${r.body.id}`, {
      name: 'Night nurse',
      members: [nurseId, me],
      shiftDays: 7,
    });
    expect(u).toMatchObject({ status: 200, body: { members: [nurseId, me], shiftDays: 7, startDate: '2026-11-01' } });
  });

  it('answers who is on call with null on a rota without members, and with the name of who is', async () => {
    const empty = await newRota({ members: [] });
    const none = await t.api('GET', `/api/v1/rotas/${empty.body.id}/on-call?at=2026-11-24T00:00:00.000Z`);
    expect(none).toEqual({ status: 200, body: { at: '2026-11-24T00:00:00.000Z', userId: null } });
    const one = await newRota({ members: [nurseId] });
    const who = await t.api('GET', `/api/v1/rotas/${one.body.id}/on-call`);
    expect(who).toEqual({
      status: 200,
      body: { at: expect.any(String), userId: nurseId, displayName: 'Person nurse@clinic.test' },
    });
  });

  it("shows a rota only to its own organisation's members", async () => {
    const r = await newRota({});
    expect((await t.api('GET', `/api/v1/rotas/${r.body.id}`, undefined, otherAdmin)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/rotas/${r.body.id}/on-call`, undefined, otherAdmin)).status).toBe(404);
    const change = await t.api('PUT', `/api/v1/rotas/${r.body.id}`, { name: 'mine', members: [] }, otherAdmin);
    expect(change.status).toBe(404);
    expect((await t.api<unknown[]>('GET', '/api/v1/rotas', undefined, otherAdmin)).body).toEqual([]);
    const listed = await t.api<ApiRota[]>('GET', '/api/v1/rotas', undefined, nurse);
    expect(listed.body.map((x) => x.id)).toContain(r.body.id);
    expect(new Set(listed.body.map((x) => x.organisationId))).toEqual(new Set([org]));
  });

  it('refuses a rota for an organisation the caller does not administer, and one from a staff member', async () => {
    const other = await newRota({}, otherAdmin);
    expect(other.status).toBe(400); // the clinic's members are not members of the other station
    const named = await newRota({ organisationId: org }, otherAdmin);
    expect(named.status).toBe(403);
    expect((await newRota({ members: [nurseId] }, nurse)).status).toBe(403);
  });

  it('lets a member take over a shift themselves but not hand one to a colleague', async () => {
    const r = await newRota({ members: [me] });
    const shift = { from: '2026-12-01T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' };
    const mine = await t.api('POST', `/api/v1/rotas/${r.body.id}/overrides`, { userId: nurseId, ...shift }, nurse);
    expect(mine.status).toBe(201);
    const theirs = await t.api<Err>('POST', `/api/v1/rotas/${r.body.id}/overrides`, { userId: me, ...shift }, nurse);
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toBe("only an administrator of the rota's organisation can change it");
  });

  it.each([
    ['GET', '/api/v1/rotas/not-a-uuid', undefined, 404],
    ['GET', '/api/v1/rotas/00000000-0000-4000-8000-000000000000', undefined, 404],
    ['GET', '/api/v1/rotas/00000000-0000-4000-8000-000000000000/on-call?at=yesterday', undefined, 400],
    ['POST', '/api/v1/rotas', { name: 'x', members: ['someone'] }, 400],
    ['POST', '/api/v1/rotas', { name: 'x', members: [], shiftDays: 29 }, 400],
    ['POST', '/api/v1/rotas', { name: 'x', members: [], timezone: 'Mars/Olympus' }, 400],
    ['POST', '/api/v1/rotas', { name: 'x', members: [], handoverTime: '25:00' }, 400],
    ['POST', '/api/v1/rotas', { name: 'x', members: [], colour: 'red' }, 400],
    ['POST', '/api/v1/rotas', { name: '', members: [] }, 400],
  ] as const)('answers %s %s %j with %d and says why', async (method, path, body, status) => {
    const r = await t.api<Err>(method, path, body);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(5);
  });

  it('refuses an override that ends before it starts', async () => {
    const r = await newRota({});
    const o = await t.api<Err>('POST', `/api/v1/rotas/${r.body.id}/overrides`, {
      userId: me,
      from: '2026-12-02T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
    expect(o).toEqual({ status: 400, body: { error: { code: 'bad_request', message: 'to must be after from' } } });
  });

  it('reports every problem of a rota at once', async () => {
    const stranger = '00000000-0000-4000-8000-000000000001';
    const r = await newRota({ timezone: 'Mars/Olympus', handoverTime: '9h', members: [me, nurseId, stranger] });
    expect(r.status).toBe(400);
    expect((r.body as unknown as Err).error.message).toBe(
      `unknown timezone Mars/Olympus; handoverTime is a local time "HH:MM"; member ${stranger} is not an active member of the rota's organisation`,
    );
  });

  it('writes an audit row for each change of a rota, naming who and which rota', async () => {
    const r = await newRota({});
    await t.api('PUT', `/api/v1/rotas/${r.body.id}`, { name: 'Renamed', members: [me] });
    await t.api('POST', `/api/v1/rotas/${r.body.id}/overrides`, {
      userId: nurseId,
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
    const rows = await t.sql.query<{ action: string; user_id: string; organisation_id: string }>(
      'SELECT action, user_id, organisation_id FROM audit_log WHERE target = $1 ORDER BY id',
      [r.body.id],
    );
    expect(rows.rows).toEqual(
      ['rota.create', 'rota.update', 'rota.override'].map((action) => ({
        action,
        user_id: me,
        organisation_id: org,
      })),
    );
  });
});
