/**
 * How long raw readings are kept, per metric. The minute/hour/day rollups are kept whatever the
 * raw retention: a year of a continuous oximeter's 1 Hz SpO2 is 31 million rows per patient, while
 * its hourly minimum, mean and maximum are what a physician looks at after the first weeks.
 * Pure: parsing, the horizon of a metric at a time, and whether ingest may still store a reading.
 */
import { isMetric, METRIC_NAMES, type Metric } from '@vitals/contract';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** Days raw readings of each metric are kept; a metric not listed keeps them forever. */
  readonly days: ReadonlyMap<Metric, number>;
}

/** The shortest raw retention the server accepts: the alert story and FHIR read raw readings of the last day. */
export const MIN_RETENTION_DAYS = 2;

/**
 * From `VITALS_RETENTION_DAYS` (every metric; 0 keeps forever) and `VITALS_RETENTION_BY_METRIC`
 * (`spo2=90,pulse=90,body_weight=0`: per metric, 0 keeps forever). Throws with every problem named.
 */
export function parseRetention(defaultDays: number, byMetric: string | undefined): RetentionPolicy {
  const days = new Map<Metric, number>();
  const problems: string[] = [];
  const check = (what: string, d: number) => {
    if (!Number.isInteger(d) || d < 0) problems.push(`${what}: ${d} is not a whole number of days`);
    else if (d > 0 && d < MIN_RETENTION_DAYS)
      problems.push(
        `${what}: ${d} day(s) is shorter than ${MIN_RETENTION_DAYS}; alert stories and FHIR read the raw readings of the last day`,
      );
  };
  check('VITALS_RETENTION_DAYS', defaultDays);
  if (defaultDays > 0) for (const m of METRIC_NAMES) days.set(m, defaultDays);
  for (const part of (byMetric ?? '').split(',').map((s) => s.trim())) {
    if (!part) continue;
    const m = /^([a-z0-9_]+)\s*=\s*(\d+)$/.exec(part);
    if (!m) {
      problems.push(`VITALS_RETENTION_BY_METRIC: "${part}" is not metric=days (e.g. spo2=90)`);
      continue;
    }
    const [, name, d] = m as unknown as [string, string, string];
    if (!isMetric(name)) {
      problems.push(`VITALS_RETENTION_BY_METRIC: unknown metric "${name}"; known: ${METRIC_NAMES.join(', ')}`);
      continue;
    }
    check(`VITALS_RETENTION_BY_METRIC ${name}`, Number(d));
    if (Number(d) === 0) days.delete(name);
    else days.set(name, Number(d));
  }
  if (problems.length) throw new RetentionError(problems);
  return { days };
}

export class RetentionError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'RetentionError';
  }
}

/** Raw readings of `metric` measured before this time are deleted (epoch ms), or null: kept forever. */
export function horizonOf(p: RetentionPolicy, metric: Metric, now: number): number | null {
  const d = p.days.get(metric);
  return d === undefined ? null : now - d * DAY_MS;
}

/** The metrics with a finite retention and their horizons at `now`. */
export function horizons(p: RetentionPolicy, now: number): { metric: Metric; before: Date }[] {
  return [...p.days].map(([metric, d]) => ({ metric, before: new Date(now - d * DAY_MS) }));
}

/** Whether every metric has the same finite retention (TimescaleDB then drops whole chunks). */
export function uniformDays(p: RetentionPolicy): number | null {
  const values = new Set(p.days.values());
  return p.days.size === METRIC_NAMES.length && values.size === 1 ? [...values][0]! : null;
}

/**
 * The earliest measurement time ingest still stores, per metric (epoch ms, or null for any),
 * worked out once: it runs for every reading. A reading older than its raw retention would be
 * deleted by the next run, and on PostgreSQL its id would no longer be known, so a replay would
 * count it twice in the rollups: it is refused with the reason instead. On TimescaleDB with
 * retentions that differ by metric, the continuous aggregates recompute a whole minute from the
 * raw rows when a late reading lands in it, so nothing may land where any metric's raw rows are
 * already gone (`shortestWins`). Undefined when nothing is ever deleted.
 */
export function keptSince(
  p: RetentionPolicy,
  shortestWins: boolean,
): ((metric: Metric, now: number) => number | null) | undefined {
  if (p.days.size === 0) return undefined;
  const days = new Map(p.days);
  if (shortestWins && uniformDays(p) === null) {
    const shortest = Math.min(...p.days.values());
    for (const m of METRIC_NAMES) days.set(m, shortest);
  }
  return (metric, now) => {
    const d = days.get(metric);
    return d === undefined ? null : now - d * DAY_MS;
  };
}

/** Days kept for a metric, as people read it: "90 days" or "kept". */
export function describeRetention(p: RetentionPolicy): string {
  if (p.days.size === 0) return 'raw readings kept forever';
  const u = uniformDays(p);
  if (u !== null) return `raw readings kept ${u} days, rollups forever`;
  return `${[...p.days].map(([m, d]) => `${m} ${d} days`).join(', ')}; other metrics forever; rollups forever`;
}
