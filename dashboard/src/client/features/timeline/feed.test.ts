import { describe, expect, it } from 'vitest';
import { countReceipt, removeItem, threads, upsertItem } from './feed.ts';

const item = (id: string, minute: number, extra: { replyTo?: string; body?: string } = {}) => ({
  id,
  time: `2026-11-24T06:${String(minute).padStart(2, '0')}:00.000Z`,
  body: extra.body ?? id,
  ...(extra.replyTo ? { replyTo: extra.replyTo } : {}),
});

describe('the live timeline feed', () => {
  it('inserts a new item where its time puts it, newest first', () => {
    const feed = [item('c', 30), item('a', 10)];
    expect(upsertItem(feed, item('b', 20)).map((x) => x.id)).toEqual(['c', 'b', 'a']);
    expect(upsertItem(feed, item('d', 40)).map((x) => x.id)).toEqual(['d', 'c', 'a']);
  });

  it('replaces an edited item in place, keeping every other item the same object', () => {
    const feed = [item('c', 30), item('a', 10)];
    const next = upsertItem(feed, item('c', 30, { body: 'edited' }));
    expect(next.map((x) => x.body)).toEqual(['edited', 'a']);
    expect(next[1]).toBe(feed[1]);
    expect(feed[0]?.body).toBe('c');
  });

  it('drops an item the reader may no longer see', () => {
    expect(removeItem([item('c', 30), item('a', 10)], 'c').map((x) => x.id)).toEqual(['a']);
  });

  it('groups replies under their post, oldest first, and leaves a reply without its post on its own', () => {
    const feed = [
      item('r2', 50, { replyTo: 'p' }),
      item('r1', 40, { replyTo: 'p' }),
      item('p', 30),
      item('o', 20, { replyTo: 'gone' }),
    ];
    expect(threads(feed).map((t) => [t.item.id, t.replies.map((r) => r.id)])).toEqual([
      ['p', ['r1', 'r2']],
      ['o', []],
    ]);
  });

  it('counts a receipt heard on the stream on its item only, marking it read when it was mine', () => {
    const feed = [
      { ...item('c', 30), readCount: 1, read: false },
      { ...item('a', 10), readCount: 0, read: false },
    ];
    const next = countReceipt(feed, 'c', true);
    expect(next.map((x) => [x.id, x.readCount, x.read])).toEqual([
      ['c', 2, true],
      ['a', 0, false],
    ]);
    expect(next[1]).toBe(feed[1]);
    expect(countReceipt(feed, 'c', false)[0]?.read).toBe(false);
  });
});
