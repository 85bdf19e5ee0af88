import { describe, expect, it } from 'vitest';
import {
  addLivePoint,
  bucketSeconds,
  dropBefore,
  emptyColumns,
  fromResponse,
  GAP_FACTOR,
  gapThresholdSec,
  type MetricColumns,
  toColumns,
} from './columnar.ts';

const T0 = Date.parse('2026-11-24T00:00:00.000Z') / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();

describe('fromResponse', () => {
  it('turns raw API points into sorted time and value columns in unix seconds', () => {
    const cols = fromResponse({
      resolution: 'raw',
      points: [
        { t: iso(T0 + 60), v: 97 },
        { t: iso(T0), v: 96 },
        { t: iso(T0 + 120), v: null },
      ],
    });
    expect(cols).toStrictEqual({
      resolution: 'raw',
      bucketSec: null,
      t: [T0, T0 + 60, T0 + 120],
      v: [96, 97, null],
      min: null,
      max: null,
      n: null,
    });
  });

  it('turns aggregated API points into average, min, max and count columns', () => {
    const cols = fromResponse({
      resolution: '1h',
      points: [
        { t: iso(T0), min: 94, avg: 96.5, max: 99, n: 3600 },
        { t: iso(T0 + 3600), min: 95, avg: 97, max: 98, n: 3500 },
      ],
    });
    expect(cols).toStrictEqual({
      resolution: '1h',
      bucketSec: 3600,
      t: [T0, T0 + 3600],
      v: [96.5, 97],
      min: [94, 95],
      max: [99, 98],
      n: [3600, 3500],
    });
  });

  it('drops points whose time cannot be read and keeps the later of two points at the same instant', () => {
    const cols = fromResponse({
      resolution: 'raw',
      points: [
        { t: 'yesterday', v: 1 },
        { t: iso(T0), v: 2 },
        { t: iso(T0), v: 3 },
      ],
    });
    expect(cols.t).toStrictEqual([T0]);
    expect(cols.v).toStrictEqual([3]);
  });
});

describe('bucketSeconds', () => {
  it('reads the bucket labels the server reports', () => {
    expect(bucketSeconds('raw')).toBeNull();
    expect(bucketSeconds('30s')).toBe(30);
    expect(bucketSeconds('5m')).toBe(300);
    expect(bucketSeconds('2h')).toBe(7200);
    expect(bucketSeconds('1d')).toBe(86_400);
    expect(bucketSeconds('1w')).toBe(604_800);
    expect(bucketSeconds('fortnight')).toBeNull();
  });
});

describe('fromResponse with unusual input', () => {
  it('reads numeric strings, as PostgreSQL numeric averages arrive as text', () => {
    const cols = fromResponse({
      resolution: '5m',
      points: [{ t: iso(T0), min: 1, avg: '1.5' as unknown as number, max: 2, n: 2 }],
    });
    expect(cols.v).toStrictEqual([1.5]);
    expect(cols.bucketSec).toBe(300);
  });

  it('takes the smallest spacing as the bucket of an aggregate label it cannot read', () => {
    const cols = fromResponse({
      resolution: 'fortnight',
      points: [0, 600, 1800].map((d) => ({ t: iso(T0 + d), min: 1, avg: 1, max: 1, n: 1 })),
    });
    expect(cols.bucketSec).toBe(600);
    expect(cols.min).toStrictEqual([1, 1, 1]);
  });
});

describe('gapThresholdSec', () => {
  it('is GAP_FACTOR times the median spacing for raw readings', () => {
    expect(gapThresholdSec([0, 1, 2, 3, 10], null)).toBe(GAP_FACTOR * 1);
  });

  it('is never less than one and a half buckets for aggregates', () => {
    expect(gapThresholdSec([0, 10, 20], 60)).toBe(90);
    expect(gapThresholdSec([0, 3600, 7200], 3600)).toBe(GAP_FACTOR * 3600);
  });

  it('is infinite when there are fewer than two distinct times', () => {
    expect(gapThresholdSec([T0], null)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('toColumns', () => {
  it('puts a null halfway across a jump in the spacing so the line breaks there', () => {
    const cols = fromResponse({
      resolution: 'raw',
      points: [0, 1, 2, 3, 20, 21].map((d) => ({ t: iso(T0 + d), v: 90 + d })),
    });
    expect(toColumns([cols])).toStrictEqual([
      [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 11.5, T0 + 20, T0 + 21],
      [90, 91, 92, 93, null, 110, 111],
    ]);
  });

  it('breaks the average, min and max of aggregates together', () => {
    const cols = fromResponse({
      resolution: '1m',
      points: [0, 60, 120, 180, 600].map((d) => ({ t: iso(T0 + d), min: 1, avg: 2, max: 3, n: 10 })),
    });
    expect(toColumns([cols])).toStrictEqual([
      [T0, T0 + 60, T0 + 120, T0 + 180, T0 + 390, T0 + 600],
      [2, 2, 2, 2, null, 2],
      [1, 1, 1, 1, null, 1],
      [3, 3, 3, 3, null, 3],
    ]);
  });

  it('keeps nulls the server sent as gaps', () => {
    const cols = fromResponse({
      resolution: 'raw',
      points: [0, 1, 2].map((d) => ({ t: iso(T0 + d), v: d === 1 ? null : 5 })),
    });
    expect(toColumns([cols])[1]).toStrictEqual([5, null, 5]);
  });

  it('joins several metrics on the union of their times, undefined where a metric has no point', () => {
    const sys = fromResponse({
      resolution: 'raw',
      points: [
        { t: iso(T0), v: 130 },
        { t: iso(T0 + 100), v: 128 },
      ],
    });
    const dia = fromResponse({
      resolution: 'raw',
      points: [
        { t: iso(T0), v: 80 },
        { t: iso(T0 + 50), v: 82 },
      ],
    });
    expect(toColumns([sys, dia])).toStrictEqual([
      [T0, T0 + 50, T0 + 100],
      [130, undefined, 128],
      [80, 82, undefined],
    ]);
  });

  it("widens a metric's gap over the other metric's times next to it, as uPlot clips gaps between neighbours", () => {
    const a = fromResponse({ resolution: 'raw', points: [0, 10, 20, 100].map((d) => ({ t: iso(T0 + d), v: 1 })) });
    const b = fromResponse({ resolution: 'raw', points: [0, 10, 20, 30, 40].map((d) => ({ t: iso(T0 + d), v: 2 })) });
    expect(toColumns([a, b])).toStrictEqual([
      [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40, T0 + 60, T0 + 100],
      [1, 1, 1, null, null, null, 1],
      [2, 2, 2, 2, 2, undefined, undefined],
    ]);
  });

  it('gives an empty chart for no points', () => {
    expect(toColumns([emptyColumns('raw'), emptyColumns('1h')])).toStrictEqual([[], [], [], [], []]);
  });
});

describe('addLivePoint', () => {
  const raw = (): MetricColumns =>
    fromResponse({ resolution: 'raw', points: [0, 10, 20].map((d) => ({ t: iso(T0 + d), v: d })) });

  it('appends a newer raw reading at the end of the columns', () => {
    const cols = raw();
    addLivePoint(cols, T0 + 30, 30);
    expect(cols.t).toStrictEqual([T0, T0 + 10, T0 + 20, T0 + 30]);
    expect(cols.v).toStrictEqual([0, 10, 20, 30]);
  });

  it('inserts a late raw reading in time order and replaces one at the same second', () => {
    const cols = raw();
    addLivePoint(cols, T0 + 15, 15);
    addLivePoint(cols, T0 + 10, 11);
    expect(cols.t).toStrictEqual([T0, T0 + 10, T0 + 15, T0 + 20]);
    expect(cols.v).toStrictEqual([0, 11, 15, 20]);
  });

  it('folds a reading into the aggregate bucket that covers its time', () => {
    const cols = fromResponse({ resolution: '1m', points: [{ t: iso(T0), min: 90, avg: 95, max: 99, n: 4 }] });
    addLivePoint(cols, T0 + 59, 100);
    expect(cols).toStrictEqual({ resolution: '1m', bucketSec: 60, t: [T0], v: [96], min: [90], max: [100], n: [5] });
  });

  it('starts a new bucket aligned on the existing ones for a reading past the last bucket', () => {
    const start = T0 + 30; // server buckets not aligned on the epoch minute
    const cols = fromResponse({ resolution: '1m', points: [{ t: iso(start), min: 1, avg: 1, max: 1, n: 1 }] });
    addLivePoint(cols, start + 150, 7);
    expect(cols.t).toStrictEqual([start, start + 120]);
    expect(cols.v).toStrictEqual([1, 7]);
    expect(cols.n).toStrictEqual([1, 1]);
  });

  it('starts the first bucket on the bucket boundary when the chart had no data', () => {
    const cols = emptyColumns('1h');
    addLivePoint(cols, T0 + 3600 + 125, 42);
    expect(cols).toStrictEqual({
      resolution: '1h',
      bucketSec: 3600,
      t: [T0 + 3600],
      v: [42],
      min: [42],
      max: [42],
      n: [1],
    });
  });

  it('ignores readings without a finite value or time', () => {
    const cols = raw();
    addLivePoint(cols, T0 + 40, Number.NaN);
    addLivePoint(cols, Number.NaN, 1);
    expect(cols.t).toHaveLength(3);
  });
});

describe('dropBefore', () => {
  it('removes the points older than the window from every column', () => {
    const cols = fromResponse({
      resolution: '1m',
      points: [0, 60, 120].map((d) => ({ t: iso(T0 + d), min: d, avg: d, max: d, n: 1 })),
    });
    dropBefore(cols, T0 + 60);
    expect(cols).toStrictEqual({
      resolution: '1m',
      bucketSec: 60,
      t: [T0 + 60, T0 + 120],
      v: [60, 120],
      min: [60, 120],
      max: [60, 120],
      n: [1, 1],
    });
  });
});
