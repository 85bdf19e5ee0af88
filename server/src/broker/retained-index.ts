/**
 * An index of the embedded broker's retained messages by exact topic (issue 18, `pnpm -s bench
 * fleet`). aedes' memory persistence answers each SUBSCRIBE by testing every retained message
 * against the subscription's pattern; with one retained `config` and one `status` per gateway,
 * every connection costs O(gateways) and 10,000 gateways reconnecting after an outage took
 * minutes (34 connections/s at the end). Gateways subscribe only to exact topics (their `config`
 * and `ack`), so those are looked up in a Map; a pattern with a wildcard still takes aedes' own
 * path. aedes has no hook for this: the persistence instance's two methods are wrapped, and a
 * persistence of another shape is left alone.
 */

interface RetainedPacket {
  topic: string;
  payload: Buffer;
}

interface MemoryPersistence {
  storeRetained(packet: RetainedPacket): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): Iterable<RetainedPacket>;
}

const hasWildcard = (pattern: string) => pattern.includes('+') || pattern.includes('#');

function isMemoryPersistence(x: unknown): x is MemoryPersistence {
  const p = x as Partial<MemoryPersistence> | undefined;
  return typeof p?.storeRetained === 'function' && typeof p.createRetainedStreamCombi === 'function';
}

/** Wraps aedes' (callback) persistence; returns whether the index is in place. */
export function indexRetainedByTopic(persistence: unknown): boolean {
  const inner = (persistence as { asyncPersistence?: unknown } | undefined)?.asyncPersistence;
  if (!isMemoryPersistence(inner)) return false;
  const exact = new Map<string, RetainedPacket>();
  const store = inner.storeRetained.bind(inner);
  const combi = inner.createRetainedStreamCombi.bind(inner);
  inner.storeRetained = async (packet) => {
    await store(packet);
    // Same rule as aedes: an empty retained payload deletes the topic's message.
    if (packet.payload.length === 0) exact.delete(packet.topic);
    else exact.set(packet.topic, { ...packet });
  };
  inner.createRetainedStreamCombi = (patterns) => {
    if (patterns.some(hasWildcard)) return combi(patterns);
    return (function* () {
      for (const topic of patterns) {
        const p = exact.get(topic);
        if (p) yield p;
      }
    })();
  };
  return true;
}
