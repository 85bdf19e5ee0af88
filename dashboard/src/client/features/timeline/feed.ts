/**
 * The timeline as the screen holds it: items newest first, updated in place one item at a time as
 * the live stream reports them (keyed by id, so a change touches one row and the composer keeps its
 * text and focus), and grouped into threads (a post with its replies, one level, oldest first).
 */

/** What the feed needs of an item. */
export interface FeedItem {
  id: string;
  time: string;
  replyTo?: string | undefined;
}

/** Newest first; the same time is ordered by id, as the server's feed orders it. */
function newerFirst(a: FeedItem, b: FeedItem): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The feed with `item` replacing the item of its id in place, or inserted where its time puts it. */
export function upsertItem<T extends FeedItem>(items: readonly T[], item: T): T[] {
  const at = items.findIndex((x) => x.id === item.id);
  if (at >= 0) return items.map((x, i) => (i === at ? item : x));
  const next = [...items, item];
  next.sort(newerFirst);
  return next;
}

/** The feed without the item (it is no longer visible to the reader). */
export function removeItem<T extends FeedItem>(items: readonly T[], id: string): T[] {
  return items.filter((x) => x.id !== id);
}

export interface Thread<T> {
  item: T;
  /** Oldest first, as a conversation reads. */
  replies: T[];
}

/**
 * Posts with their replies under them. A reply whose post is not on the page (older than the page,
 * or above the reader's clearance) stands on its own, in its place by time.
 */
export function threads<T extends FeedItem>(items: readonly T[]): Thread<T>[] {
  const ids = new Set(items.map((x) => x.id));
  const repliesOf = new Map<string, T[]>();
  for (const x of items)
    if (x.replyTo && ids.has(x.replyTo)) {
      const list = repliesOf.get(x.replyTo) ?? [];
      list.push(x);
      repliesOf.set(x.replyTo, list);
    }
  return items
    .filter((x) => !(x.replyTo && ids.has(x.replyTo)))
    .map((item) => ({ item, replies: [...(repliesOf.get(item.id) ?? [])].sort((a, b) => newerFirst(b, a)) }));
}

/**
 * A receipt heard on the stream: one more reader (the server announces only a first read), and
 * read by the reader when it was them. No fetch: a receipt changes nothing else.
 */
export function countReceipt<T extends FeedItem & { readCount: number; read: boolean }>(
  items: readonly T[],
  itemId: string,
  byMe: boolean,
): T[] {
  return items.map((x) => (x.id === itemId ? { ...x, readCount: x.readCount + 1, read: x.read || byMe } : x));
}
