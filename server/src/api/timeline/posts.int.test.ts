/**
 * Issue 15: posts on a patient's timeline by named members, with templates and a frozen
 * vitals snapshot, replies one level deep, mentions queued to the member's contacts, read
 * receipts, edits that keep their history, withdrawal with a reason, copy-as-text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

interface Item {
  id: string;
  kind: string;
  body: string;
  sensitivity: string;
  author?: { id: string; displayName: string };
  tags: string[];
  template?: string;
  fields?: Record<string, string | number>;
  snapshot?: { kind: string; values: { metric: string; value?: number }[] };
  replyTo?: string;
  edited: boolean;
  revision: number;
  withdrawn?: { reason: string };
  read: boolean;
  readCount: number;
  replyCount: number;
}
type ItemWithReceipts = Item & {
  readBy: { userId: string }[];
  notReadBy: { userId: string }[];
  replies: Item[];
};

describe('posts on the team timeline', () => {
  let t: TestApp;
  let nurse: Colleague;
  let doctor: Colleague;
  let adminId: string;

  /** A patient with the administrator as attending physician, the nurse and the doctor on the team. */
  const patient = async (name: string) => {
    const id = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: name })).body.id;
    await joinCareTeam(t, id, nurse.id, 'member', 'nurse');
    await joinCareTeam(t, id, doctor.id, 'member', 'physician');
    return id;
  };
  const post = (patientId: string, body: Record<string, unknown>, token?: string) =>
    t.api<Item & { error?: { message: string } }>('POST', `/api/v1/patients/${patientId}/posts`, body, token);

  beforeAll(async () => {
    t = await buildTestApp();
    nurse = await addColleague(t, { email: 'yamada@station.test', displayName: '看護師 山田', profession: 'nurse' });
    doctor = await addColleague(t, { email: 'sato@clinic.test', displayName: '医師 佐藤', profession: 'physician' });
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
  });
  afterAll(async () => t?.close());

  it('stores a post by its named author and shows it newest first with system items', async () => {
    const p = await patient('投稿 一郎');
    const first = await post(p, { body: '本日は食欲あり、よく眠れている', tags: ['meal', 'sleep'] }, nurse.token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'post',
      sensitivity: 'team',
      author: { id: nurse.id, displayName: '看護師 山田' },
      tags: ['meal', 'sleep'],
      edited: false,
    });
    const second = await post(p, { body: 'second' }, doctor.token);
    const feed = await t.api<{ items: Item[] }>('GET', `/api/v1/patients/${p}/timeline`, undefined, nurse.token);
    expect(feed.status).toBe(200);
    expect(feed.body.items.map((i) => i.id)).toEqual([second.body.id, first.body.id]);
  });

  it('refuses an unknown tag, an empty post and fields without a template, saying what to do', async () => {
    const p = await patient('投稿 二郎');
    const tag = await post(p, { body: 'x', tags: ['no_such_tag'] });
    expect(tag.status).toBe(400);
    expect(tag.body.error?.message).toMatch(/unknown tags: no_such_tag.*post-tags/);
    expect((await post(p, { body: '  ' })).status).toBe(400);
    expect((await post(p, { body: 'x', fields: { care: 'x' } })).status).toBe(400);
  });

  it('fills a template: its default sensitivity and a frozen snapshot of the latest vitals', async () => {
    const p = await patient('投稿 三郎');
    await t.api('POST', `/api/v1/patients/${p}/observations`, {
      readings: [
        { metric: 'bp_systolic', value: 132 },
        { metric: 'bp_diastolic', value: 84 },
        { metric: 'pulse_rate', value: 72 },
      ],
    });
    const r = await post(
      p,
      { body: '', template: 'visit_result', fields: { condition: '安定', care: '清拭、褥瘡処置' } },
      nurse.token,
    );
    expect(r.status).toBe(201);
    expect(r.body.sensitivity).toBe('clinical');
    expect(r.body.snapshot?.kind).toBe('latest');
    expect(r.body.snapshot?.values.find((v) => v.metric === 'bp_systolic')?.value).toBe(132);
    // A later reading does not change what the post showed.
    await t.api('POST', `/api/v1/patients/${p}/observations`, { readings: [{ metric: 'bp_systolic', value: 150 }] });
    const again = await t.api<Item>('GET', `/api/v1/timeline/${r.body.id}`, undefined, nurse.token);
    expect(again.body.snapshot?.values.find((v) => v.metric === 'bp_systolic')?.value).toBe(132);
    const text = await t.api<{ text: string }>(
      'GET',
      `/api/v1/timeline/${r.body.id}/text?lang=ja`,
      undefined,
      nurse.token,
    );
    expect(text.body.text).toContain('訪問看護の結果');
    expect(text.body.text).toContain('実施したケア: 清拭、褥瘡処置');
    expect(text.body.text).toContain('最新のバイタル: 血圧 132/84 mmHg、脈拍 72 /分');
    const summary = await t.api<{ text: string }>('GET', `/api/v1/patients/${p}/summary-text?lang=ja`);
    expect(summary.body.text).toMatch(/^本日のバイタル: 血圧 132–150\/84 mmHg/);
    const en = await t.api<{ text: string }>('GET', `/api/v1/patients/${p}/summary-text?lang=en`);
    expect(en.body.text).toContain("Today's vital signs: BP 132–150/84 mmHg, Pulse rate 72 /min");
  });

  it('lists the built-in and the organisation’s own tags and templates in Japanese and English', async () => {
    const p = await patient('投稿 四郎');
    const me = await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
    const org = me.body.organisations[0]!.organisationId;
    expect(
      (await t.api('POST', `/api/v1/organisations/${org}/post-tags`, { key: 'dementia', ja: '認知症', en: 'Dementia' }))
        .status,
    ).toBe(201);
    expect(
      (
        await t.api(
          'POST',
          `/api/v1/organisations/${org}/post-tags`,
          { key: 'dementia', ja: '認知症', en: 'Dementia' },
          nurse.token,
        )
      ).status,
    ).toBe(403);
    const tags = await t.api<{ tags: { key: string; ja: string }[] }>('GET', `/api/v1/patients/${p}/post-tags`);
    expect(tags.body.tags).toEqual(
      expect.arrayContaining([
        { key: 'pressure_ulcer', ja: '褥瘡', en: 'Pressure ulcer' },
        { key: 'dementia', ja: '認知症', en: 'Dementia' },
      ]),
    );
    const templates = await t.api<{ templates: { key: string; ja: string }[] }>(
      'GET',
      `/api/v1/patients/${p}/post-templates`,
    );
    expect(templates.body.templates.map((x) => x.ja)).toEqual(
      expect.arrayContaining(['訪問看護の結果', '退院カンファのポイント', '新しいケアプラン', '服薬状況']),
    );
    expect((await post(p, { body: '夜間に徘徊', tags: ['dementia'] }, nurse.token)).status).toBe(201);
  });

  it('keeps replies one level deep and counts them on the post', async () => {
    const p = await patient('投稿 五郎');
    const root = await post(p, { body: '褥瘡の写真を確認してください' }, nurse.token);
    const reply = await post(p, { body: '確認しました。軟膏を変更します', replyTo: root.body.id }, doctor.token);
    expect(reply.status).toBe(201);
    expect(reply.body.replyTo).toBe(root.body.id);
    const deeper = await post(p, { body: 'x', replyTo: reply.body.id }, nurse.token);
    expect(deeper.status).toBe(400);
    const item = await t.api<ItemWithReceipts>('GET', `/api/v1/timeline/${root.body.id}`, undefined, nurse.token);
    expect(item.body.replyCount).toBe(1);
    expect(item.body.replies.map((x) => x.id)).toEqual([reply.body.id]);
  });

  it('records who has read a post and who has not, once per member', async () => {
    const p = await patient('投稿 六郎');
    const root = await post(p, { body: '明日の訪問時間を変更します' }, nurse.token);
    expect((await t.api('POST', `/api/v1/timeline/${root.body.id}/read`, undefined, doctor.token)).status).toBe(204);
    expect((await t.api('POST', `/api/v1/timeline/${root.body.id}/read`, undefined, doctor.token)).status).toBe(204);
    const item = await t.api<ItemWithReceipts>('GET', `/api/v1/timeline/${root.body.id}`, undefined, doctor.token);
    expect(item.body.readBy.map((r) => r.userId)).toEqual([doctor.id]);
    expect(item.body.read).toBe(true);
    expect(item.body.notReadBy.map((r) => r.userId).sort()).toEqual([adminId, nurse.id].sort());
    const receipts = await t.sql.query("SELECT 1 FROM audit_log WHERE action = 'timeline.receipt' AND target = $1", [
      root.body.id,
    ]);
    expect(receipts.rowCount).toBe(1);
  });

  it('lets only the author edit, keeps every earlier version and shows the post as edited', async () => {
    const p = await patient('投稿 七郎');
    const root = await post(p, { body: '血圧 132/84、変化なし' }, nurse.token);
    expect((await t.api('PATCH', `/api/v1/timeline/${root.body.id}`, { body: 'x' }, doctor.token)).status).toBe(403);
    const edited = await t.api<Item>(
      'PATCH',
      `/api/v1/timeline/${root.body.id}`,
      { body: '血圧 142/84、やや高め' },
      nurse.token,
    );
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ body: '血圧 142/84、やや高め', edited: true, revision: 1 });
    const history = await t.api<{ revisions: { revision: number; body: string }[] }>(
      'GET',
      `/api/v1/timeline/${root.body.id}/revisions`,
      undefined,
      doctor.token,
    );
    expect(history.body.revisions).toEqual([expect.objectContaining({ revision: 0, body: '血圧 132/84、変化なし' })]);
    const audited = await t.sql.query("SELECT 1 FROM audit_log WHERE action = 'timeline.edit' AND target = $1", [
      root.body.id,
    ]);
    expect(audited.rowCount).toBe(1);
  });

  it('withdraws a post with its reason instead of deleting it (author or lead only)', async () => {
    const p = await patient('投稿 八郎');
    const root = await post(p, { body: '別の患者さんのことを書いてしまいました' }, nurse.token);
    expect(
      (await t.api('POST', `/api/v1/timeline/${root.body.id}/withdraw`, { reason: 'x' }, doctor.token)).status,
    ).toBe(403);
    const w = await t.api<Item>(
      'POST',
      `/api/v1/timeline/${root.body.id}/withdraw`,
      { reason: '患者違い' },
      nurse.token,
    );
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ body: '', withdrawn: { reason: '患者違い' } });
    const feed = await t.api<{ items: Item[] }>('GET', `/api/v1/patients/${p}/timeline`, undefined, doctor.token);
    expect(feed.body.items.find((i) => i.id === root.body.id)?.withdrawn?.reason).toBe('患者違い');
    const kept = await t.sql.query<{ body: string }>('SELECT body FROM timeline_items WHERE id = $1', [root.body.id]);
    expect(kept.rows[0]?.body).toBe('別の患者さんのことを書いてしまいました');
    expect(
      (await t.api('POST', `/api/v1/timeline/${root.body.id}/withdraw`, { reason: 'again' }, nurse.token)).status,
    ).toBe(409);
  });

  it('queues a mention to the mentioned member’s contacts, without the post’s words', async () => {
    const p = await patient('投稿 九郎');
    await t.api('POST', '/api/v1/me/contacts', { channel: 'email', address: 'sato@clinic.test' }, doctor.token);
    const r = await post(p, { body: '佐藤先生、創部の発赤について相談です', mentions: [doctor.id] }, nurse.token);
    expect(r.status).toBe(201);
    const queued = await t.sql.query<{
      user_id: string;
      target: string;
      payload: { text: { subject: string; body: string } };
    }>(
      "SELECT user_id, target, payload FROM notification_deliveries WHERE event = 'timeline.mention' AND patient_id = $1",
      [p],
    );
    expect(queued.rows).toHaveLength(1);
    expect(queued.rows[0]).toMatchObject({ user_id: doctor.id, target: 'sato@clinic.test' });
    expect(queued.rows[0]!.payload.text.subject).toContain('看護師 山田さんが投稿 九郎さんのタイムライン');
    expect(JSON.stringify(queued.rows[0]!.payload)).not.toContain('発赤');
    const stranger = await addColleague(t, { email: 'not-on-team@clinic.test' });
    const refused = await post(p, { body: 'x', mentions: [stranger.id] }, nurse.token);
    expect(refused.status).toBe(400);
  });

  it('gives every patient a stable link for other systems, to the dashboard’s patient page', async () => {
    const p = await patient('リンク 太郎');
    const r = await t.app.inject({ method: 'GET', url: `/p/${p}` });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`<meta http-equiv="refresh" content="0;url=/#/patients/${p}">`);
    expect(r.body).not.toContain('リンク 太郎');
    expect((await t.app.inject({ method: 'GET', url: '/p/not-a-patient' })).statusCode).toBe(404);
  });

  it('pages through a long timeline with the next cursor and no item twice', async () => {
    const p = await patient('投稿 十郎');
    for (let i = 0; i < 7; i++) await post(p, { body: `note ${i}` }, nurse.token);
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await t.api<{ items: Item[]; next?: string }>(
        'GET',
        `/api/v1/patients/${p}/timeline?limit=3${before ? `&before=${before}` : ''}`,
      );
      seen.push(...page.body.items.map((i) => i.body));
      if (!page.body.next) break;
      before = page.body.next;
    }
    expect(seen).toEqual(['note 6', 'note 5', 'note 4', 'note 3', 'note 2', 'note 1', 'note 0']);
    expect((await t.api('GET', `/api/v1/patients/${p}/timeline?limit=201`)).status).toBe(400);
  });
});
