/**
 * Issue 15: new items and receipts reach open timelines on any instance. Two app instances on
 * one PostgreSQL schema (the LISTEN/NOTIFY transport between them): a post on A reaches a live
 * stream on B, and a care manager's stream on B never hears of a clinical post.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { dropTestSchema, TEST_DATABASE_URL } from '../../../test-support/harness.ts';

interface Heard {
  events: { event: string; data: Record<string, unknown> }[];
  close(): void;
}

/** An open live stream: the events heard so far. */
async function listen(base: string, token: string): Promise<Heard> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const events: Heard['events'] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') });
        }
      }
    } catch {
      // closed
    }
  })();
  return { events, close: () => abort.abort() };
}

async function until(what: string, ok: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the timeline live across two instances', () => {
  const schema = `t_timeline_${randomBytes(4).toString('hex')}`;
  const env = { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema };
  let a: TestApp;
  let b: TestApp;
  let base: string;
  let nurse: Colleague;
  let careManager: Colleague;
  let patientId: string;
  const streams: Heard[] = [];

  beforeAll(async () => {
    a = await buildTestApp({ env });
    b = await buildTestApp({ env });
    base = await b.app.listen({ port: 0, host: '127.0.0.1' });
    nurse = await addColleague(a, { email: 'live-nurse@station.test', profession: 'nurse' });
    careManager = await addColleague(a, { email: 'live-cm@kyotaku.test', profession: 'care_manager' });
    patientId = (await a.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '中継 花子' })).body.id;
    await joinCareTeam(a, patientId, nurse.id, 'member', 'nurse');
    await joinCareTeam(a, patientId, careManager.id, 'member', 'care_manager');
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await a?.close();
    await b?.close();
    await dropTestSchema(schema);
  });

  it('delivers a post made on A and its receipt to streams on B, filtered by clearance', async () => {
    const nurseStream = await listen(base, nurse.token);
    const cmStream = await listen(base, careManager.token);
    streams.push(nurseStream, cmStream);
    const post = async (body: string, sensitivity: string) =>
      (await a.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/posts`, { body, sensitivity }, nurse.token))
        .body.id;
    const timelineIds = (s: Heard) => s.events.filter((e) => e.event === 'timeline').map((e) => e.data.itemId);

    const clinical = await post('創部の状態（臨床）', 'clinical');
    const team = await post('明日の訪問は14時', 'team');
    await until('both posts on the nurse’s stream', () => timelineIds(nurseStream).includes(team));
    expect(timelineIds(nurseStream)).toEqual([clinical, team]);
    await until('the team post on the care manager’s stream', () => timelineIds(cmStream).includes(team));
    expect(timelineIds(cmStream)).toEqual([team]);
    expect(cmStream.events.find((e) => e.event === 'timeline')?.data).toMatchObject({
      patientId,
      kind: 'post',
      sensitivity: 'team',
      change: 'posted',
    });

    expect((await a.api('POST', `/api/v1/timeline/${team}/read`, undefined, careManager.token)).status).toBe(204);
    await until('the receipt on the nurse’s stream', () => nurseStream.events.some((e) => e.event === 'timeline-read'));
    expect(nurseStream.events.find((e) => e.event === 'timeline-read')?.data).toMatchObject({
      itemId: team,
      userId: careManager.id,
    });
    // Nothing of the clinical post ever reached the care manager, in any event.
    expect(JSON.stringify(cmStream.events)).not.toContain(clinical);
  });
});
