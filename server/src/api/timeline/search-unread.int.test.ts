/**
 * Issue 15: search across a patient's items (Japanese without word boundaries, English in any
 * case, full- and half-width forms alike; tags, author, kind, period) and "my unread" across
 * the patients of a member's care teams, counted per patient.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

interface Item {
  id: string;
  body: string;
  kind: string;
}

describe('searching the timeline and my unread posts', () => {
  let t: TestApp;
  let nurse: Colleague;
  let pharmacist: Colleague;
  let patientId: string;
  const ids: Record<string, string> = {};

  const post = async (key: string, body: Record<string, unknown>, token: string, p = patientId) => {
    const r = await t.api<{ id: string }>('POST', `/api/v1/patients/${p}/posts`, body, token);
    expect(r).toMatchObject({ status: 201 });
    ids[key] = r.body.id;
    return r.body.id;
  };
  const search = async (query: string, token = nurse.token) =>
    (
      await t.api<{ items: Item[] }>('GET', `/api/v1/patients/${patientId}/timeline?${query}`, undefined, token)
    ).body.items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0] ?? i.kind);

  beforeAll(async () => {
    t = await buildTestApp();
    nurse = await addColleague(t, {
      email: 'search-nurse@station.test',
      displayName: '看護師 山田',
      profession: 'nurse',
    });
    pharmacist = await addColleague(t, {
      email: 'search-pharm@pharmacy.test',
      displayName: '薬剤師 鈴木',
      profession: 'pharmacist',
    });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '検索 太郎' })).body.id;
    await joinCareTeam(t, patientId, nurse.id, 'member', 'nurse');
    await joinCareTeam(t, patientId, pharmacist.id, 'member', 'pharmacist');
    await post('ulcer', { body: '仙骨部の褥瘡が悪化、発赤 3cm', tags: ['pressure_ulcer'] }, nurse.token);
    await post('meal', { body: 'ｼｮｸｼﾞ摂取は半分。ＢＰ安定', tags: ['meal'] }, nurse.token);
    await post(
      'meds',
      { body: 'Amlodipine dose changed; 100% adherence this week', tags: ['medication'] },
      pharmacist.token,
    );
    await post(
      'template',
      { body: '', template: 'medication_status', fields: { adherence: '飲み忘れなし', missed_doses: 0 } },
      pharmacist.token,
    );
  });
  afterAll(async () => t?.close());

  it('finds Japanese inside words, English in any case, and full- or half-width forms alike', async () => {
    expect(await search(`q=${encodeURIComponent('褥瘡')}`)).toEqual(['ulcer']);
    expect(await search(`q=${encodeURIComponent('悪化')}`)).toEqual(['ulcer']);
    expect(await search('q=AMLODIPINE')).toEqual(['meds']);
    expect(await search(`q=${encodeURIComponent('ショクジ')}`)).toEqual(['meal']);
    expect(await search('q=bp')).toEqual(['meal']);
    expect(await search(`q=${encodeURIComponent('飲み忘れ')}`)).toEqual(['template']);
  });

  it('matches % and _ as themselves, not as wildcards', async () => {
    expect(await search(`q=${encodeURIComponent('100%')}`)).toEqual(['meds']);
    expect(await search(`q=${encodeURIComponent('%')}`)).toEqual(['meds']);
    // Only the tag pressure_ulcer has an underscore; a wildcard would match every item.
    expect(await search(`q=${encodeURIComponent('_')}`)).toEqual(['ulcer']);
  });

  it('filters by tag, author, kind and period, and refuses an unknown kind', async () => {
    expect(await search('tag=medication')).toEqual(['meds']);
    expect(await search(`author=${pharmacist.id}`)).toEqual(['template', 'meds']);
    expect(await search(`author=${nurse.id}&q=${encodeURIComponent('褥瘡')}`)).toEqual(['ulcer']);
    expect(await search('kind=post,alert')).toHaveLength(4);
    expect(await search(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect((await t.api('GET', `/api/v1/patients/${patientId}/timeline?kind=gossip`)).status).toBe(400);
    expect((await t.api('GET', `/api/v1/patients/${patientId}/timeline?before=yesterday`)).status).toBe(400);
  });

  it('counts my unread posts per patient: others’ posts since I joined, until I read them', async () => {
    const other = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '未読 次郎' })).body.id;
    await joinCareTeam(t, other, nurse.id, 'member', 'nurse');
    await post('other-1', { body: '訪問時間変更' }, t.token, other);
    await post('other-2', { body: '家族より電話あり' }, t.token, other);
    const unread = async (token = nurse.token) =>
      (
        await t.api<{ total: number; patients: { patientId: string; displayName: string; unread: number }[] }>(
          'GET',
          '/api/v1/timeline/unread',
          undefined,
          token,
        )
      ).body;
    const before = await unread();
    expect(before.patients).toEqual([
      expect.objectContaining({ patientId: other, displayName: '未読 次郎', unread: 2 }),
      expect.objectContaining({ patientId, unread: 2 }),
    ]);
    expect(before.total).toBe(4);
    await t.api('POST', `/api/v1/timeline/${ids['other-1']}/read`, undefined, nurse.token);
    await t.api('POST', `/api/v1/timeline/${ids['other-2']}/withdraw`, { reason: '重複' });
    await t.api('POST', `/api/v1/timeline/${ids.meds}/read`, undefined, nurse.token);
    const after = await unread();
    expect(after.patients).toEqual([expect.objectContaining({ patientId, unread: 1 })]);
    // Someone joining later has no backlog of what was written before.
    const late = await addColleague(t, { email: 'late@station.test', profession: 'nurse' });
    await joinCareTeam(t, patientId, late.id, 'member', 'nurse');
    expect((await unread(late.token)).total).toBe(0);
    // Leaving the team and joining again starts afresh: nothing stuck from the first stay.
    await post('while-on-team', { body: '退院日決定' }, t.token);
    expect((await unread(late.token)).total).toBe(1);
    expect((await t.api('DELETE', `/api/v1/patients/${patientId}/team/${late.id}`)).status).toBe(204);
    await joinCareTeam(t, patientId, late.id, 'member', 'nurse');
    expect((await unread(late.token)).total).toBe(0);
    await post('after-rejoin', { body: '訪問時間変更' }, t.token);
    await t.api('POST', `/api/v1/timeline/${ids['after-rejoin']}/read`, undefined, late.token);
    expect((await unread(late.token)).total).toBe(0);
  });

  it('finds katakana written in hiragana and hiragana written in katakana (the last test: it adds posts)', async () => {
    await post('kana', { body: 'ケアマネージャーに連絡。おむつ交換済み' }, nurse.token);
    expect(await search(`q=${encodeURIComponent('けあまねーじゃー')}`)).toEqual(['kana']);
    expect(await search(`q=${encodeURIComponent('オムツ')}`)).toEqual(['kana']);
    expect(await search(`q=${encodeURIComponent('ｵﾑﾂ交換')}`)).toEqual(['kana']);
    expect(await search(`q=${encodeURIComponent('しょくじ')}`)).toEqual(['meal']);
  });
});
