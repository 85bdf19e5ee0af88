/**
 * Issue 15: an item's sensitivity against each member's clearance, everywhere. A care manager
 * (clearance `team`) never sees a `clinical` post: not in the feed, not by id (404, as if it did
 * not exist), not by search, not in the unread counts, not as copied text, not its photo, its
 * replies or its history, and cannot be mentioned in it. A nurse (`clinical`) does not see a
 * `restricted` one; the attending physician (`restricted`) sees all three.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

type Level = 'team' | 'clinical' | 'restricted';

describe('timeline items filtered by sensitivity and clearance', () => {
  let t: TestApp;
  let patientId: string;
  const members = {} as Record<'careManager' | 'nurse' | 'physician', Colleague>;
  const posts = {} as Record<Level, { id: string; photo?: string }>;
  const CLEARANCE = { careManager: 'team', nurse: 'clinical', physician: 'restricted' } as const;
  const RANK: Record<Level, number> = { team: 0, clinical: 1, restricted: 2 };
  const sees = (who: keyof typeof CLEARANCE, level: Level) => RANK[CLEARANCE[who]] >= RANK[level];

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '機微 花子' })).body.id;
    members.careManager = await addColleague(t, { email: 'cm@kyotaku.test', profession: 'care_manager' });
    members.nurse = await addColleague(t, { email: 'ns@station.test', profession: 'nurse' });
    members.physician = await addColleague(t, { email: 'dr@clinic.test', profession: 'physician' });
    await joinCareTeam(t, patientId, members.careManager.id, 'member', 'care_manager');
    await joinCareTeam(t, patientId, members.nurse.id, 'member', 'nurse');
    await joinCareTeam(t, patientId, members.physician.id, 'member', 'physician');
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    for (const level of ['team', 'clinical', 'restricted'] as const) {
      const author = level === 'restricted' ? members.physician : members.nurse;
      const r = await t.api<{ id: string }>(
        'POST',
        `/api/v1/patients/${patientId}/posts`,
        { body: `秘匿度 ${level} の記録`, sensitivity: level, tags: ['pressure_ulcer'] },
        author.token,
      );
      expect(r.status).toBe(201);
      const photo = await t.app.inject({
        method: 'POST',
        url: `/api/v1/timeline/${r.body.id}/photos`,
        headers: { authorization: `Bearer ${author.token}`, 'content-type': 'image/png' },
        payload: png,
      });
      expect(photo.statusCode).toBe(201);
      posts[level] = { id: r.body.id, photo: JSON.parse(photo.body).id };
      await t.api(
        'POST',
        `/api/v1/patients/${patientId}/posts`,
        { body: `返信 ${level}`, replyTo: r.body.id, sensitivity: level },
        author.token,
      );
    }
  });
  afterAll(async () => t?.close());

  const whoCases = (['careManager', 'nurse', 'physician'] as const).flatMap((who) =>
    (['team', 'clinical', 'restricted'] as const).map((level) => [who, level] as const),
  );

  it.each(whoCases)(
    '%s and a %s post: seen exactly when the clearance reaches it, through every route',
    async (who, level) => {
      const token = members[who].token;
      const { id, photo } = posts[level];
      const visible = sees(who, level);
      const expected = visible ? 200 : 404;
      const feed = await t.api<{ items: { id: string }[] }>(
        'GET',
        `/api/v1/patients/${patientId}/timeline`,
        undefined,
        token,
      );
      expect(feed.body.items.some((i) => i.id === id)).toBe(visible);
      const search = await t.api<{ items: { id: string }[] }>(
        'GET',
        `/api/v1/patients/${patientId}/timeline?q=${encodeURIComponent(`秘匿度 ${level}`)}`,
        undefined,
        token,
      );
      expect(search.body.items.map((i) => i.id)).toEqual(visible ? [id] : []);
      const tagged = await t.api<{ items: { id: string }[] }>(
        'GET',
        `/api/v1/patients/${patientId}/timeline?tag=pressure_ulcer`,
        undefined,
        token,
      );
      expect(tagged.body.items.some((i) => i.id === id)).toBe(visible);
      expect((await t.api('GET', `/api/v1/timeline/${id}`, undefined, token)).status).toBe(expected);
      expect((await t.api('GET', `/api/v1/timeline/${id}/text`, undefined, token)).status).toBe(expected);
      expect((await t.api('GET', `/api/v1/timeline/${id}/replies`, undefined, token)).status).toBe(expected);
      expect((await t.api('GET', `/api/v1/timeline/${id}/revisions`, undefined, token)).status).toBe(expected);
      const image = await t.app.inject({
        method: 'GET',
        url: `/api/v1/timeline/${id}/photos/${photo}?size=thumbnail`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(image.statusCode).toBe(expected);
      if (!visible) {
        expect((await t.api('POST', `/api/v1/timeline/${id}/read`, undefined, token)).status).toBe(404);
        expect((await t.api('PATCH', `/api/v1/timeline/${id}`, { body: 'x' }, token)).status).toBe(404);
        expect(image.body).not.toContain('秘匿度');
      }
    },
  );

  it('counts unread posts within each member’s clearance only', async () => {
    const unread = async (who: keyof typeof CLEARANCE) =>
      (await t.api<{ total: number }>('GET', '/api/v1/timeline/unread', undefined, members[who].token)).body.total;
    // Posts and replies by others: the care manager has 2 team items, the nurse 2 restricted ones
    // are hidden and her own 4 are not unread, the physician has the nurse's 4.
    expect(await unread('careManager')).toBe(2);
    expect(await unread('nurse')).toBe(0);
    expect(await unread('physician')).toBe(4);
  });

  it('moves an unread post out of a member’s count when its author raises its sensitivity above their clearance', async () => {
    const unread = async (who: keyof typeof CLEARANCE) =>
      (await t.api<{ total: number }>('GET', '/api/v1/timeline/unread', undefined, members[who].token)).body.total;
    const [cm, dr] = [await unread('careManager'), await unread('physician')];
    const id = (
      await t.api<{ id: string }>(
        'POST',
        `/api/v1/patients/${patientId}/posts`,
        { body: '家族の連絡先' },
        members.nurse.token,
      )
    ).body.id;
    expect([await unread('careManager'), await unread('physician')]).toEqual([cm + 1, dr + 1]);
    await t.api('PATCH', `/api/v1/timeline/${id}`, { sensitivity: 'clinical' }, members.nurse.token);
    expect([await unread('careManager'), await unread('physician')]).toEqual([cm, dr + 1]);
    await t.api('PATCH', `/api/v1/timeline/${id}`, { sensitivity: 'team' }, members.nurse.token);
    expect([await unread('careManager'), await unread('physician')]).toEqual([cm + 1, dr + 1]);
    await t.api('POST', `/api/v1/timeline/${id}/read`, undefined, members.careManager.token);
    await t.api('POST', `/api/v1/timeline/${id}/withdraw`, { reason: '重複' }, members.nurse.token);
    expect([await unread('careManager'), await unread('physician')]).toEqual([cm, dr]);
  });

  it('refuses a post above the author’s clearance and a mention of a member who could not read it', async () => {
    const above = await t.api(
      'POST',
      `/api/v1/patients/${patientId}/posts`,
      { body: 'x', sensitivity: 'clinical' },
      members.careManager.token,
    );
    expect(above.status).toBe(403);
    const mention = await t.api<{ error: { message: string } }>(
      'POST',
      `/api/v1/patients/${patientId}/posts`,
      { body: '褥瘡の状態', sensitivity: 'clinical', mentions: [members.careManager.id] },
      members.nurse.token,
    );
    expect(mention.status).toBe(400);
    expect(mention.body.error.message).toContain('clearance that reaches clinical');
  });

  it('writes access.denied for a hidden item and timeline.item.read for a shown one', async () => {
    await t.api('GET', `/api/v1/timeline/${posts.clinical.id}`, undefined, members.careManager.token);
    await t.api('GET', `/api/v1/timeline/${posts.clinical.id}`, undefined, members.nurse.token);
    const rows = await t.sql.query<{ user_id: string; action: string }>(
      `SELECT user_id, action FROM audit_log WHERE target = $1 OR (action = 'timeline.item.read' AND patient_id = $2)`,
      [posts.clinical.id, patientId],
    );
    expect(rows.rows).toEqual(
      expect.arrayContaining([
        { user_id: members.careManager.id, action: 'access.denied' },
        { user_id: members.nurse.id, action: 'timeline.item.read' },
      ]),
    );
  });
});
