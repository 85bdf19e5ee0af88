/**
 * Pieces of the ingest fuzz test (issue 11, item 2): a seeded random source, a generator of
 * malformed messages that records which readings must never be stored, and a publisher that
 * streams good batches and re-sends every unacknowledged one, as the gateway's outbox does.
 */
import type { BatchAck, Reading } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';

/** mulberry32: small, fast and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const topicOf = (gatewayId: string, suffix: string) => `vitals/v1/gw/${gatewayId}/${suffix}`;

/** A reading the contract accepts, dated within the last few minutes. */
export function cleanReading(id: string, deviceId: string, n: number, now: number): Reading {
  return {
    id,
    device: { id: deviceId, transport: 'ble', model: 'FUZZ-1' },
    time: new Date(now - 300_000 + n * 10).toISOString(),
    timeSource: 'device',
    metric: 'pulse_rate',
    value: 50 + (n % 100),
    unit: '/min',
  };
}

export interface FuzzMessage {
  suffix: 'readings' | 'status' | 'events';
  payload: Buffer | string;
  /** Readings that are fine and may be stored, by id (with the value and time they must have). */
  clean: Reading[];
  /** Ids of readings that must never be stored. */
  poisoned: string[];
  kind: string;
}

const NUL = '\u0000';

/**
 * Malformed messages of one gateway. Every mutation makes the reading (or the batch) invalid
 * by the contract, or refused by the database, so a stored poisoned id is a defect.
 */
export class FuzzGenerator {
  private n = 0;
  constructor(
    private readonly rand: () => number,
    private readonly gatewayId: string,
    private readonly deviceId: string,
  ) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private bytes(max: number): Buffer {
    const b = Buffer.alloc(Math.floor(this.rand() * max));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(this.rand() * 256);
    // Most random payloads should carry a NUL somewhere, the poison of issue 11.
    if (b.length > 0 && this.rand() < 0.7) b[Math.floor(this.rand() * b.length)] = 0;
    return b;
  }

  private withNul(s: string): string {
    const at = Math.floor(this.rand() * (s.length + 1));
    return s.slice(0, at) + NUL + s.slice(at);
  }

  private batchOf(count: number, now: number) {
    const readings: Reading[] = [];
    for (let i = 0; i < count; i++) {
      const k = this.n++;
      readings.push(cleanReading(`${this.gatewayId}:f:${k}`, this.deviceId, k, now));
    }
    return {
      v: 1,
      gatewayId: this.gatewayId,
      batchId: `${this.gatewayId}:fb:${this.n}`,
      sentAt: new Date(now).toISOString(),
      readings: readings as unknown[],
    };
  }

  /** One reading made invalid; returns it as raw JSON text (some mutations are not JSON values). */
  private mutateReading(r: Reading): { json: string; kind: string } {
    const x = structuredClone(r) as unknown as Record<string, unknown>;
    const mutations: [string, () => unknown][] = [
      [
        'id with NUL',
        () => {
          x.id = this.withNul(r.id);
        },
      ],
      [
        'id a number',
        () => {
          x.id = 12345;
        },
      ],
      [
        'id empty',
        () => {
          x.id = '';
        },
      ],
      [
        'id too long',
        () => {
          x.id = `${this.gatewayId}:${'x'.repeat(300)}`;
        },
      ],
      [
        'id of another gateway',
        () => {
          x.id = `gw-fuzz-good:stolen:${this.n++}`;
        },
      ],
      [
        'metric with NUL',
        () => {
          x.metric = this.withNul('pulse_rate');
        },
      ],
      [
        'metric unknown',
        () => {
          x.metric = 'telepathy';
        },
      ],
      [
        'unit wrong',
        () => {
          x.unit = 'mmHg';
        },
      ],
      [
        'unit with NUL',
        () => {
          x.unit = `/min${NUL}`;
        },
      ],
      [
        'value a string',
        () => {
          x.value = '72';
        },
      ],
      [
        'value null',
        () => {
          x.value = null;
        },
      ],
      [
        'value an object',
        () => {
          x.value = { v: 1 };
        },
      ],
      ['value huge', () => JSON.stringify(x).replace(/"value":[^,}]+/, '"value":1e999')],
      ['value minus huge', () => JSON.stringify(x).replace(/"value":[^,}]+/, '"value":-1e999')],
      [
        'time year 0',
        () => {
          x.time = '0000-01-01T00:00:00.000Z';
        },
      ],
      [
        'time 30 February',
        () => {
          x.time = '2026-02-30T00:00:00.000Z';
        },
      ],
      [
        'time not a time',
        () => {
          x.time = 'yesterday';
        },
      ],
      [
        'time far future',
        () => {
          x.time = '2100-01-01T00:00:00.000Z';
        },
      ],
      [
        'time 1970',
        () => {
          x.time = '1970-01-01T00:00:00.000Z';
        },
      ],
      [
        'time a number',
        () => {
          x.time = Date.now();
        },
      ],
      [
        'time extended year',
        () => {
          x.time = '+275760-09-13T00:00:00.000Z';
        },
      ],
      [
        'time with NUL',
        () => {
          x.time = this.withNul(r.time);
        },
      ],
      [
        'device null',
        () => {
          x.device = null;
        },
      ],
      [
        'device id with NUL',
        () => {
          x.device = { ...r.device, id: this.withNul(r.device.id) };
        },
      ],
      [
        'device transport wrong',
        () => {
          x.device = { ...r.device, transport: 'zigbee' };
        },
      ],
      [
        'device model too long',
        () => {
          x.device = { ...r.device, model: 'm'.repeat(500) };
        },
      ],
      [
        'device model with NUL',
        () => {
          x.device = { ...r.device, model: `M${NUL}` };
        },
      ],
      [
        'timeSource wrong',
        () => {
          x.timeSource = 'sundial';
        },
      ],
      [
        'flags with NUL',
        () => {
          x.flags = [`motion${NUL}`];
        },
      ],
      [
        'flags not an array',
        () => {
          x.flags = 'motion';
        },
      ],
      [
        'flags too many',
        () => {
          x.flags = Array.from({ length: 60 }, () => 'motion');
        },
      ],
      [
        'notes with NUL',
        () => {
          x.notes = [`n${NUL}`];
        },
      ],
      [
        'source wrong type',
        () => {
          x.source = { value: 'x', unit: 'kPa' };
        },
      ],
      [
        'source unit with NUL',
        () => {
          x.source = { value: 1, unit: `k${NUL}Pa` };
        },
      ],
      [
        'group with NUL',
        () => {
          x.group = `${this.gatewayId}:g${NUL}`;
        },
      ],
      [
        'key with NUL',
        () => {
          x[`k${NUL}`] = 1;
        },
      ],
      ['reading a number', () => '42'],
      ['reading null', () => 'null'],
      ['reading an array', () => '[1,2,3]'],
    ];
    const [kind, mutate] = this.pick(mutations);
    const raw = mutate();
    const json = typeof raw === 'string' ? raw : JSON.stringify(x);
    return { json, kind };
  }

  next(now: number): FuzzMessage {
    const roll = this.rand();
    if (roll < 0.12)
      return {
        suffix: this.pick(['readings', 'status', 'events'] as const),
        payload: this.bytes(300),
        clean: [],
        poisoned: [],
        kind: 'random bytes',
      };
    if (roll < 0.2) {
      const b = this.batchOf(1 + Math.floor(this.rand() * 5), now);
      const text = JSON.stringify(b);
      const cut = text.slice(0, Math.floor(this.rand() * (text.length - 1)));
      return {
        suffix: 'readings',
        payload: cut,
        clean: [],
        poisoned: b.readings.map((r) => (r as Reading).id),
        kind: 'truncated JSON',
      };
    }
    if (roll < 0.3) {
      const b = this.batchOf(1 + Math.floor(this.rand() * 5), now) as Record<string, unknown>;
      const ids = (b.readings as Reading[]).map((r) => r.id);
      const batchMutations: [string, () => void][] = [
        [
          'batch v 2',
          () => {
            b.v = 2;
          },
        ],
        [
          'batch gatewayId of another',
          () => {
            b.gatewayId = 'gw-fuzz-good';
          },
        ],
        [
          'batch batchId with NUL',
          () => {
            b.batchId = this.withNul(b.batchId as string);
          },
        ],
        [
          'batch batchId a number',
          () => {
            b.batchId = 7;
          },
        ],
        [
          'batch batchId of another gateway',
          () => {
            b.batchId = 'gw-fuzz-good:b:1';
          },
        ],
        [
          'batch sentAt not a time',
          () => {
            b.sentAt = 'not a time';
          },
        ],
        [
          'batch sentAt missing',
          () => {
            b.sentAt = undefined;
          },
        ],
        [
          'batch readings an object',
          () => {
            b.readings = { a: 1 };
          },
        ],
        [
          'batch readings empty',
          () => {
            b.readings = [];
          },
        ],
        [
          'batch v missing',
          () => {
            b.v = undefined;
          },
        ],
      ];
      const [kind, mutate] = this.pick(batchMutations);
      mutate();
      return { suffix: 'readings', payload: JSON.stringify(b), clean: [], poisoned: ids, kind };
    }
    if (roll < 0.4) {
      const state = this.pick(['online', 'offline', 'bogus']);
      const statusMutations: [string, Record<string, unknown>][] = [
        [
          'status version with NUL',
          { state, time: new Date(now).toISOString(), version: this.withNul('1.0'), bootId: 'b' },
        ],
        ['status time year 0', { state, time: '0000-01-01T00:00:00Z', version: '1.0', bootId: 'b' }],
        ['status time a number', { state, time: 12345, version: '1.0', bootId: 'b' }],
        ['status time garbage', { state, time: 'soon', version: '1.0', bootId: 'b' }],
        ['status bootId with NUL', { state, time: new Date(now).toISOString(), bootId: `b${NUL}` }],
        ['status fine or bogus state', { state, time: new Date(now).toISOString(), version: '1.0', bootId: 'b' }],
      ];
      const [kind, s] = this.pick(statusMutations);
      return { suffix: 'status', payload: JSON.stringify(s), clean: [], poisoned: [], kind };
    }
    if (roll < 0.5) {
      const eventMutations: [string, Record<string, unknown>][] = [
        ['event type with NUL', { time: new Date(now).toISOString(), type: this.withNul('device_lost') }],
        ['event time year 0', { time: '0000-01-01T00:00:00Z', type: 'device_lost' }],
        ['event detail with NUL', { time: new Date(now).toISOString(), type: 'x', detail: { a: `b${NUL}` } }],
        ['event detail key with NUL', { time: new Date(now).toISOString(), type: 'x', detail: { [`a${NUL}`]: 1 } }],
        ['event detail a string', { time: new Date(now).toISOString(), type: 'x', detail: 'not json' }],
        ['event device a number', { time: new Date(now).toISOString(), type: 'x', device: 42 }],
        ['event type huge', { time: new Date(now).toISOString(), type: 't'.repeat(20_000) }],
      ];
      const [kind, e] = this.pick(eventMutations);
      return { suffix: 'events', payload: JSON.stringify(e), clean: [], poisoned: [], kind };
    }
    // A batch of mostly good readings with one or two made invalid.
    const b = this.batchOf(2 + Math.floor(this.rand() * 8), now);
    const readings = b.readings as Reading[];
    const bad = new Set<number>([Math.floor(this.rand() * readings.length)]);
    if (this.rand() < 0.3) bad.add(Math.floor(this.rand() * readings.length));
    const parts: string[] = [];
    const kinds: string[] = [];
    for (const [i, r] of readings.entries()) {
      if (!bad.has(i)) {
        parts.push(JSON.stringify(r));
        continue;
      }
      const m = this.mutateReading(r);
      parts.push(m.json);
      kinds.push(m.kind);
    }
    const text = JSON.stringify({ ...b, readings: [] }).replace('"readings":[]', `"readings":[${parts.join(',')}]`);
    return {
      suffix: 'readings',
      payload: text,
      clean: readings.filter((_, i) => !bad.has(i)),
      poisoned: readings.filter((_, i) => bad.has(i)).map((r) => r.id),
      kind: kinds.join('+'),
    };
  }
}

export interface GoodStream {
  /** Resolves when every batch was acknowledged. */
  finished: Promise<void>;
  readings: Reading[];
  problems: string[];
  resent: number;
  close(): Promise<void>;
}

/**
 * Streams `count` good readings in batches of `batchSize`, one batch every `intervalMs`, and
 * re-sends a batch not acknowledged within `resendMs` (the gateway outbox's behaviour). An
 * ack must account for every reading of its batch (accepted + duplicates) and reject none.
 */
export async function streamGoodReadings(o: {
  mqttUrl: string;
  gatewayId: string;
  password: string;
  deviceId: string;
  count: number;
  batchSize: number;
  intervalMs: number;
  resendMs: number;
}): Promise<GoodStream> {
  const client: MqttClient = await mqtt.connectAsync(o.mqttUrl, {
    clientId: o.gatewayId,
    username: o.gatewayId,
    password: o.password,
    reconnectPeriod: 500,
  });
  await client.subscribeAsync(topicOf(o.gatewayId, 'ack'), { qos: 1 });
  const now = Date.now();
  const readings = Array.from({ length: o.count }, (_, i) => cleanReading(`${o.gatewayId}:s:${i}`, o.deviceId, i, now));
  const batches: { batchId: string; payload: string; size: number }[] = [];
  for (let i = 0; i < o.count; i += o.batchSize) {
    const rs = readings.slice(i, i + o.batchSize);
    const batchId = `${o.gatewayId}:sb:${i / o.batchSize}`;
    batches.push({
      batchId,
      size: rs.length,
      payload: JSON.stringify({
        v: 1,
        gatewayId: o.gatewayId,
        batchId,
        sentAt: new Date().toISOString(),
        readings: rs,
      }),
    });
  }
  const pending = new Map<string, { payload: string; size: number; sentAt: number }>();
  const problems: string[] = [];
  const stream: GoodStream = { finished: Promise.resolve(), readings, problems, resent: 0, close: async () => {} };
  let next = 0;
  let finish!: () => void;
  stream.finished = new Promise<void>((r) => {
    finish = r;
  });
  client.on('message', (_t, p) => {
    const a = JSON.parse(p.toString()) as BatchAck;
    const b = pending.get(a.batchId);
    if (!b) return; // a late ack of a batch acknowledged already
    if (a.rejected.length > 0 || a.accepted + a.duplicates !== b.size)
      problems.push(`ack of ${a.batchId}: ${JSON.stringify(a)} for ${b.size} readings`);
    pending.delete(a.batchId);
    if (next >= batches.length && pending.size === 0) finish();
  });
  const send = (payload: string) =>
    client.publishAsync(topicOf(o.gatewayId, 'readings'), payload, { qos: 1 }).catch(() => {});
  const timer = setInterval(() => {
    const t = Date.now();
    if (next < batches.length) {
      const b = batches[next++]!;
      pending.set(b.batchId, { payload: b.payload, size: b.size, sentAt: t });
      void send(b.payload);
    }
    for (const b of pending.values())
      if (t - b.sentAt > o.resendMs) {
        b.sentAt = t;
        stream.resent++;
        void send(b.payload);
      }
  }, o.intervalMs);
  stream.close = async () => {
    clearInterval(timer);
    await client.endAsync();
  };
  return stream;
}
