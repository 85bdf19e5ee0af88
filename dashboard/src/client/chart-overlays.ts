/**
 * What a chart draws besides its lines (issue 16, patient record): the alert limits as bands
 * (beyond the medium limit amber, beyond the high limit red, for rules above and below), alert
 * openings as markers, and values the care team recorded as diamonds. Pure: value ranges in,
 * value ranges out; chart.ts turns them into canvas pixels.
 */

export type BandLevel = 'medium' | 'high';

export interface Threshold {
  direction: 'above' | 'below';
  medium?: number;
  high?: number;
}

export interface ValueBand {
  level: BandLevel;
  /** Lower and upper value of the band, inside the visible range. */
  from: number;
  to: number;
}

/** The bands of the thresholds that fall inside `[yMin, yMax]`, the high one over the medium one. */
export function thresholdBands(thresholds: readonly Threshold[], yMin: number, yMax: number): ValueBand[] {
  const bands: ValueBand[] = [];
  const clip = (level: BandLevel, from: number, to: number) => {
    const lo = Math.max(from, yMin);
    const hi = Math.min(to, yMax);
    if (hi > lo) bands.push({ level, from: lo, to: hi });
  };
  for (const level of ['medium', 'high'] as const)
    for (const th of thresholds) {
      const limit = th[level];
      if (limit === undefined) continue;
      if (th.direction === 'above') clip(level, limit, Number.POSITIVE_INFINITY);
      else clip(level, Number.NEGATIVE_INFINITY, limit);
    }
  return bands;
}
