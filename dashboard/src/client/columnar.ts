/**
 * Readings as uPlot wants them: columns (times in unix seconds, then one array per series),
 * with `null` where the line must break. The database does the aggregation; live points are
 * appended to the columns here, and a point for a bucket the chart already has is folded into
 * that bucket so the chart keeps the server's resolution.
 */

/**
 * `raw`, or the bucket the database aggregated into: a count and a unit, such as `1m`, `5m`,
 * `2h`, `1d` (the server picks a "nice" bucket that fits `maxPoints`).
 */
export type Resolution = string;

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds per bucket of an aggregated resolution; null for `raw` or a label it cannot read. */
export function bucketSeconds(resolution: Resolution): number | null {
  const m = /^(\d+)([smhdw])$/.exec(resolution);
  return m ? Number(m[1]) * (UNIT_SEC[m[2] as string] as number) : null;
}

export interface RawPoint {
  t: string | number;
  v: number | null;
}
export interface AggregatePoint {
  t: string | number;
  min: number | null;
  avg: number | null;
  max: number | null;
  n: number;
}
/** `GET /api/v1/patients/{id}/readings` */
export interface ReadingsResponse {
  metric: string;
  unit: string;
  resolution: Resolution;
  points: RawPoint[] | AggregatePoint[];
}

/** One metric's points, sorted by time, without gap markers. `min`, `max`, `n` only for aggregates. */
export interface MetricColumns {
  resolution: Resolution;
  /** Seconds per bucket; null for raw readings. */
  bucketSec: number | null;
  t: number[];
  v: (number | null)[];
  min: (number | null)[] | null;
  max: (number | null)[] | null;
  n: number[] | null;
}

/** uPlot's AlignedData: x, then the series; `undefined` marks "no point of this series here". */
export type Columns = [number[], ...(number | null | undefined)[][]];

/**
 * A line breaks where consecutive points are further apart than this many times the typical
 * (median) spacing: a continuous monitor that stops, or a patient who skips several days.
 */
export const GAP_FACTOR = 2.5;

function seconds(t: string | number): number {
  return (typeof t === 'number' ? t : Date.parse(t)) / 1000;
}

/** A finite number, also from a numeric string (PostgreSQL's numeric type arrives as text). */
function num(x: unknown): number | null {
  const n = typeof x === 'string' && x.trim() !== '' ? Number(x) : x;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function isAggregate(cols: Pick<MetricColumns, 'bucketSec'>): boolean {
  return cols.bucketSec !== null;
}

export function emptyColumns(resolution: Resolution, bucketSec = bucketSeconds(resolution)): MetricColumns {
  const agg = bucketSec !== null;
  return { resolution, bucketSec, t: [], v: [], min: agg ? [] : null, max: agg ? [] : null, n: agg ? [] : null };
}

/** The API's point list as columns, sorted by time; points with an unreadable time are dropped. */
export function fromResponse(response: Pick<ReadingsResponse, 'resolution' | 'points'>): MetricColumns {
  const points = (response.points as (RawPoint | AggregatePoint)[])
    .map((p) => ({ p, s: seconds(p.t) }))
    .filter(({ s }) => Number.isFinite(s))
    .sort((a, b) => a.s - b.s);
  let bucketSec = bucketSeconds(response.resolution);
  if (bucketSec === null && response.resolution !== 'raw' && points.some(({ p }) => 'avg' in p)) {
    // An aggregate label this code does not know: take the smallest spacing as the bucket.
    bucketSec = smallestSpacing(points.map(({ s }) => s));
  }
  const cols = emptyColumns(response.resolution, bucketSec);
  for (const { p, s } of points) {
    if (cols.t[cols.t.length - 1] === s) {
      // Two points at the same instant: keep the later one, as uPlot needs strictly rising times.
      cols.t.pop();
      cols.v.pop();
      cols.min?.pop();
      cols.max?.pop();
      cols.n?.pop();
    }
    cols.t.push(s);
    if ('avg' in p) {
      cols.v.push(num(p.avg));
      cols.min?.push(num(p.min));
      cols.max?.push(num(p.max));
      cols.n?.push(typeof p.n === 'number' ? p.n : 1);
    } else {
      cols.v.push(num(p.v));
      cols.min?.push(num(p.v));
      cols.max?.push(num(p.v));
      cols.n?.push(1);
    }
  }
  return cols;
}

function smallestSpacing(times: number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number);
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : 60;
}

/** Index of the first time >= s (binary search: live points almost always land at the end). */
function lowerBound(t: number[], s: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((t[mid] as number) < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Adds one live reading (time in seconds). Raw: inserted in time order (replayed readings from a
 * gateway's outbox arrive late), replacing a point at the same second. Aggregate: folded into
 * the bucket that covers the time, or a new bucket aligned on the existing ones.
 */
export function addLivePoint(cols: MetricColumns, s: number, value: number): void {
  if (!Number.isFinite(s) || !Number.isFinite(value)) return;
  if (cols.bucketSec === null) {
    const i = lowerBound(cols.t, s);
    if (cols.t[i] === s) cols.v[i] = value;
    else {
      cols.t.splice(i, 0, s);
      cols.v.splice(i, 0, value);
    }
    return;
  }
  const bucket = cols.bucketSec;
  const anchor = cols.t[0] ?? 0;
  const start = anchor + Math.floor((s - anchor) / bucket) * bucket;
  const i = lowerBound(cols.t, start);
  const existing = cols.t[i];
  if (existing !== undefined && s >= existing && s < existing + bucket) {
    addToBucket(cols, i, value);
    return;
  }
  // The previous bucket may cover `s` when the server's buckets are not aligned on the anchor.
  const previous = cols.t[i - 1];
  if (previous !== undefined && s < previous + bucket) {
    addToBucket(cols, i - 1, value);
    return;
  }
  cols.t.splice(i, 0, start);
  cols.v.splice(i, 0, value);
  cols.min?.splice(i, 0, value);
  cols.max?.splice(i, 0, value);
  cols.n?.splice(i, 0, 1);
}

function addToBucket(cols: MetricColumns, i: number, value: number): void {
  const min = cols.min as (number | null)[];
  const max = cols.max as (number | null)[];
  const n = cols.n as number[];
  const count = n[i] ?? 0;
  const avg = cols.v[i];
  cols.v[i] = avg == null ? value : (avg * count + value) / (count + 1);
  min[i] = Math.min(min[i] ?? value, value);
  max[i] = Math.max(max[i] ?? value, value);
  n[i] = count + 1;
}

/** Drops points before `fromSec`, so a chart left open on a wall does not grow without end. */
export function dropBefore(cols: MetricColumns, fromSec: number): void {
  const k = lowerBound(cols.t, fromSec);
  if (k === 0) return;
  cols.t.splice(0, k);
  cols.v.splice(0, k);
  cols.min?.splice(0, k);
  cols.max?.splice(0, k);
  cols.n?.splice(0, k);
}

/** The spacing beyond which the line breaks; Infinity when there are too few points to tell. */
export function gapThresholdSec(t: readonly number[], bucketSec: number | null): number {
  const spacings: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const d = (t[i] as number) - (t[i - 1] as number);
    if (d > 0) spacings.push(d);
  }
  if (spacings.length === 0) return Number.POSITIVE_INFINITY;
  spacings.sort((a, b) => a - b);
  const median = spacings[spacings.length >> 1] as number;
  const threshold = GAP_FACTOR * median;
  return bucketSec === null ? threshold : Math.max(threshold, 1.5 * bucketSec);
}

/** Number of uPlot series a metric takes: the value, plus min and max for aggregates. */
export function seriesCount(cols: Pick<MetricColumns, 'bucketSec'>): 1 | 3 {
  return isAggregate(cols) ? 3 : 1;
}

/**
 * The chart's data: the union of all metrics' times, then per metric its value column (and for
 * aggregates its min and max columns). A `null` point is put halfway across every jump wider
 * than the metric's gap threshold, so uPlot breaks the line there; where another metric has
 * a point but this one has not, the value is `undefined`, which uPlot draws across.
 */
export function toColumns(metrics: readonly MetricColumns[]): Columns {
  type Row = { s: number; values: (number | null)[] };
  const rowsPerMetric: Row[][] = metrics.map((cols) => {
    const threshold = gapThresholdSec(cols.t, cols.bucketSec);
    const rows: Row[] = [];
    for (let i = 0; i < cols.t.length; i++) {
      const s = cols.t[i] as number;
      const prev = cols.t[i - 1];
      if (prev !== undefined && s - prev > threshold) {
        rows.push({ s: (prev + s) / 2, values: cols.min ? [null, null, null] : [null] });
      }
      const v = cols.v[i] ?? null;
      rows.push({ s, values: cols.min ? [v, cols.min[i] ?? null, cols.max?.[i] ?? null] : [v] });
    }
    return rows;
  });

  const xs = [...new Set(rowsPerMetric.flatMap((rows) => rows.map((r) => r.s)))].sort((a, b) => a - b);
  const out: Columns = [xs];
  rowsPerMetric.forEach((rows, m) => {
    const width = seriesCount(metrics[m] as MetricColumns);
    const columns: (number | null | undefined)[][] = Array.from({ length: width }, () => new Array(xs.length));
    let r = 0;
    for (let x = 0; x < xs.length; x++) {
      const row = rows[r];
      if (row && row.s === xs[x]) {
        for (let c = 0; c < width; c++) (columns[c] as (number | null | undefined)[])[x] = row.values[c];
        r++;
      } else {
        for (let c = 0; c < width; c++) (columns[c] as (number | null | undefined)[])[x] = undefined;
      }
    }
    for (const column of columns) expandGaps(column);
    out.push(...columns);
  });
  return out;
}

/**
 * uPlot clips a gap between the null's neighbours in the shared x array, so a neighbour that is
 * only another metric's time (`undefined` here) would leave most of the jump drawn. Widening the
 * null over those neighbours is what `uPlot.join`'s `JoinNullMode.Expand` does.
 */
function expandGaps(column: (number | null | undefined)[]): void {
  for (let i = 0; i < column.length; i++) {
    if (column[i] !== null) continue;
    for (let k = i - 1; k >= 0 && column[k] === undefined; k--) column[k] = null;
    let k = i + 1;
    while (k < column.length && column[k] === undefined) column[k++] = null;
    i = k - 1;
  }
}
