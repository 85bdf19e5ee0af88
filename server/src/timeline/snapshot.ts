/**
 * Frozen vitals snapshots of a post (issue 15): the latest value of every metric, or a period's
 * summary (range, count, last value per metric), copied into the post when it is written so
 * that later readings or corrections never change what the post showed.
 */
import { latestOfPatient } from '../storage/repos/readings.ts';
import { periodSummary } from '../storage/repos/timeline-summary.ts';
import type { Sql } from '../storage/sql.ts';
import type { MetricValue } from './text.ts';

export type SnapshotRequest = 'latest' | { from: Date; to: Date };

export async function vitalsSnapshot(sql: Sql, patientId: string, r: SnapshotRequest, now: Date) {
  if (r === 'latest') {
    const latest = await latestOfPatient(sql, patientId);
    return {
      kind: 'latest',
      at: now.toISOString(),
      values: Object.entries(latest).map(([metric, v]) => ({
        metric,
        unit: v.unit,
        ...(v.value !== undefined ? { value: v.value } : {}),
        ...(v.code !== undefined ? { code: v.code } : {}),
        time: v.time,
      })),
    };
  }
  return {
    kind: 'period',
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    values: await periodValues(sql, patientId, r.from, r.to),
  };
}

/** A period's values as the text module takes them. */
export async function periodValues(
  sql: Sql,
  patientId: string,
  from: Date,
  to: Date,
): Promise<(MetricValue & { time: string })[]> {
  return (await periodSummary(sql, patientId, from, to)).map((m) => ({
    metric: m.metric,
    unit: m.unit,
    min: m.min,
    max: m.max,
    count: m.count,
    value: m.last_value,
    ...(m.last_code !== null ? { code: m.last_code } : {}),
    time: m.last_time.toISOString(),
  }));
}
