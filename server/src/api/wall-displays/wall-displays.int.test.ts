import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';

interface Display {
  id: string;
  displayName: string;
  initialsOnly: boolean;
  patients: number;
  revoked: boolean;
  token: string;
  kioskPath: string;
}

describe('wall displays: a kiosk that shows its care teams’ patients and can only read', () => {
  let t: TestApp;
  let orgId: string;
  let shown: string;
  let clinical: string;
  let other: string;

  const signIn = (token: string) => t.api<{ token: string }>('POST', '/api/v1/auth/display', { token }, null);
  const create = async (body: { displayName: string; initialsOnly?: boolean }) => {
    const r = await t.api<Display>('POST', `/api/v1/organisations/${orgId}/displays`, body);
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    orgId = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
    const patient = async (displayName: string) =>
      (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName })).body.id;
    shown = await patient('山田 花子');
    clinical = await patient('佐藤 一郎');
    other = await patient('鈴木 次郎');
    expect((await t.api('PATCH', `/api/v1/patients/${clinical}`, { vitalsSensitivity: 'clinical' })).status).toBe(200);
  });
  afterAll(async () => t?.close());

  it('shows only the patients whose care teams it is on, the way their teams set it, and says what it is', async () => {
    const d = await create({ displayName: 'ナースステーション 壁面' });
    expect(d).toMatchObject({
      displayName: 'ナースステーション 壁面',
      initialsOnly: false,
      patients: 0,
      revoked: false,
    });
    expect(d.kioskPath).toBe(`/#/kiosk/${d.token}`);
    for (const p of [shown, clinical])
      expect((await t.api('POST', `/api/v1/patients/${p}/team`, { userId: d.id })).status).toBe(201);
    const session = await signIn(d.token);
    expect(session.status).toBe(200);
    const kiosk = session.body.token;
    expect((await t.api('GET', '/api/v1/me', undefined, kiosk)).body).toMatchObject({
      id: d.id,
      kind: 'display',
      initialsOnly: false,
      mfa: { required: false },
    });
    // The clinical patient's vitals are above the display's clearance (team): not visible.
    const list = await t.api<{ id: string; displayName: string }[]>('GET', '/api/v1/patients', undefined, kiosk);
    expect(list.body.map((p) => p.id)).toEqual([shown]);
    expect((await t.api('GET', `/api/v1/patients/${other}/latest`, undefined, kiosk)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/patients/${clinical}/latest`, undefined, kiosk)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/patients/${shown}/latest`, undefined, kiosk)).status).toBe(200);
    const wall = await t.api<{ patients: { id: string }[] }>('GET', '/api/v1/wall', undefined, kiosk);
    expect(wall.body.patients.map((p) => p.id)).toEqual([shown]);
    // The team sees the display among its members.
    const team = await t.api<{ userId: string; clearance: string; teamRole: string }[]>(
      'GET',
      `/api/v1/patients/${shown}/team`,
    );
    expect(team.body.find((m) => m.userId === d.id)).toMatchObject({
      clearance: 'team',
      teamRole: 'member',
      kind: 'display',
    });
    // It is never mentioned: it reads, nobody is paged through it.
    const mention = await t.api<{ error: { message: string } }>('POST', `/api/v1/patients/${shown}/posts`, {
      body: '壁のモニターへ',
      mentions: [d.id],
    });
    expect(mention.status).toBe(400);
    expect(mention.body.error.message).toContain('wall display');
    const audit = await t.api<{ userId: string; action: string; patientId?: string }[]>(
      'GET',
      `/api/v1/audit?userId=${d.id}`,
    );
    expect(audit.body.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.login.ok', 'readings.latest']));
  });

  it('changes nothing: every write is refused, signing out is not', async () => {
    const d = await create({ displayName: 'read only' });
    await t.api('POST', `/api/v1/patients/${shown}/team`, { userId: d.id });
    const kiosk = (await signIn(d.token)).body.token;
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/patients', { displayName: 'x' }],
      ['POST', `/api/v1/patients/${shown}/observations`, { readings: [{ metric: 'spo2', value: 97 }] }],
      ['PATCH', `/api/v1/patients/${shown}`, { displayName: 'y' }],
      ['POST', '/api/v1/me/contacts', { channel: 'email', address: 'wall@example.test' }],
      ['POST', `/api/v1/organisations/${orgId}/displays`, { displayName: 'another' }],
    ];
    for (const [method, path, body] of writes) {
      const r = await t.api<{ error: { code: string; message: string } }>(method, path, body, kiosk);
      expect([path, r.status]).toEqual([path, 403]);
      expect(r.body.error.message).toContain('wall display');
    }
    expect((await t.api('POST', '/api/v1/auth/logout', {}, kiosk)).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', undefined, kiosk)).status).toBe(401);
  });

  it('shows patients by their initials when the organisation asks for it, everywhere the name appears', async () => {
    const d = await create({ displayName: '待合室', initialsOnly: true });
    await t.api('POST', `/api/v1/patients/${shown}/team`, { userId: d.id });
    const kiosk = (await signIn(d.token)).body.token;
    const names = async () => ({
      list: (await t.api<{ displayName: string }[]>('GET', '/api/v1/patients', undefined, kiosk)).body.map(
        (p) => p.displayName,
      ),
      one: (await t.api<{ displayName: string }>('GET', `/api/v1/patients/${shown}`, undefined, kiosk)).body
        .displayName,
      wall: (
        await t.api<{ patients: { displayName: string }[] }>('GET', '/api/v1/wall', undefined, kiosk)
      ).body.patients.map((p) => p.displayName),
    });
    expect(await names()).toEqual({ list: ['山・花'], one: '山・花', wall: ['山・花'] });
    // Where the patient is tells patients apart when only initials show.
    expect((await t.api('PATCH', `/api/v1/patients/${shown}`, { area: '北区 A地区' })).status).toBe(200);
    const wall = await t.api<{ patients: { displayName: string; area?: string }[] }>(
      'GET',
      '/api/v1/wall',
      undefined,
      kiosk,
    );
    expect(wall.body.patients).toEqual([expect.objectContaining({ displayName: '山・花', area: '北区 A地区' })]);
    expect((await t.api('PATCH', `/api/v1/patients/${shown}`, { area: null })).status).toBe(200);
    const cleared = await t.api<{ area?: string }>('GET', `/api/v1/patients/${shown}`, undefined, kiosk);
    expect(cleared.body.area).toBeUndefined();
    const changed = await t.api<Display>('PATCH', `/api/v1/organisations/${orgId}/displays/${d.id}`, {
      initialsOnly: false,
    });
    expect(changed.body.initialsOnly).toBe(false);
    expect(await names()).toEqual({ list: ['山田 花子'], one: '山田 花子', wall: ['山田 花子'] });
  });

  it('cannot be given more than the team clearance or a say in the team', async () => {
    const d = await create({ displayName: 'clearance' });
    for (const body of [
      { userId: d.id, clearance: 'clinical' },
      { userId: d.id, teamRole: 'lead' },
    ]) {
      const r = await t.api<{ error: { message: string } }>('POST', `/api/v1/patients/${shown}/team`, body);
      expect(r.status).toBe(400);
      expect(r.body.error.message).toContain('wall display');
    }
  });

  it('is bound to one screen: signing in elsewhere with the same link takes the first screen off', async () => {
    const d = await create({ displayName: 'one screen' });
    const first = (await signIn(d.token)).body.token;
    const second = (await signIn(d.token)).body.token;
    expect((await t.api('GET', '/api/v1/me', undefined, first)).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', undefined, second)).status).toBe(200);
    const audit = await t.api<{ action: string }[]>('GET', `/api/v1/audit?userId=${d.id}`);
    expect(audit.body.map((a) => a.action)).toContain('auth.display.replaced');
  });

  it('stops working at once when its credential is rotated or it is revoked', async () => {
    const d = await create({ displayName: 'rotate me' });
    const first = (await signIn(d.token)).body.token;
    const rotated = await t.api<{ token: string; kioskPath: string }>(
      'POST',
      `/api/v1/organisations/${orgId}/displays/${d.id}/rotate`,
    );
    expect(rotated.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', undefined, first)).status).toBe(401);
    expect((await signIn(d.token)).status).toBe(401);
    const second = (await signIn(rotated.body.token)).body.token;
    expect((await t.api('GET', '/api/v1/me', undefined, second)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/organisations/${orgId}/displays/${d.id}/revoke`)).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', undefined, second)).status).toBe(401);
    expect((await signIn(rotated.body.token)).status).toBe(401);
    const listed = await t.api<Display[]>('GET', `/api/v1/organisations/${orgId}/displays`);
    expect(listed.body.find((x) => x.id === d.id)).toMatchObject({ revoked: true });
  });

  it('is managed only by administrators of its organisation, and is not a person to invite or sign in as', async () => {
    const nurse = await addColleague(t, { email: 'nurse.kiosk@clinic.test', profession: 'nurse' });
    expect((await t.api('GET', `/api/v1/organisations/${orgId}/displays`, undefined, nurse.token)).status).toBe(403);
    expect(
      (await t.api('POST', `/api/v1/organisations/${orgId}/displays`, { displayName: 'x' }, nurse.token)).status,
    ).toBe(403);
    const d = await create({ displayName: 'not staff' });
    const staff = await t.api<{ id: string }[]>('GET', `/api/v1/organisations/${orgId}/users`);
    expect(staff.body.map((s) => s.id)).not.toContain(d.id);
    const people = await t.api<{ id: string; kind: string }[]>('GET', '/api/v1/people?q=not%20staff');
    expect(people.body.find((p) => p.id === d.id)).toMatchObject({ kind: 'display' });
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/auth/login',
          { email: `display-${d.id}@wall-display.invalid`, password: '!' },
          null,
        )
      ).status,
    ).toBe(401);
    expect((await signIn('not-a-credential')).status).toBe(401);
  });
});
