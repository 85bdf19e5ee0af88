/** Picks the bucket size for a chart: the smallest "nice" interval that fits `maxPoints`. */

const NICE_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];

export function bucketSecondsFor(rangeMs: number, maxPoints: number): number {
  const needed = rangeMs / 1000 / Math.max(1, maxPoints);
  return NICE_SECONDS.find((s) => s >= needed) ?? Math.ceil(needed / 86400) * 86400;
}

/** "1s", "5m", "1h", "1d": the label the API reports as `resolution`. */
export function resolutionLabel(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
