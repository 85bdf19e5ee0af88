/** How metric values are shown: decimals per metric, and which metrics share a tile or a chart. */
import { METRIC_NAMES, METRICS, type Metric } from '@vitals/contract';
import { INTL_LOCALE, type Locale } from './i18n.ts';

/** Decimals shown per metric: the resolution of the devices that measure it (the contract's table). */
export const DISPLAY_DECIMALS = Object.fromEntries(METRIC_NAMES.map((m) => [m, METRICS[m].decimals])) as Record<
  Metric,
  number
>;

const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatValue(metric: Metric, value: number, locale: Locale): string {
  const decimals = DISPLAY_DECIMALS[metric];
  const key = `${locale}|${decimals}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(INTL_LOCALE[locale], {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      useGrouping: false,
    });
    numberFormats.set(key, f);
  }
  return f.format(value);
}

/** A wall tile: blood pressure shows systolic/diastolic together, every other tile one metric. */
export type WallTile =
  | { kind: 'bp'; metrics: readonly ['bp_systolic', 'bp_diastolic'] }
  | { kind: 'single'; metric: Metric };

/** The tiles of every patient card, in this order, shown even without a value so cards line up. */
export const WALL_TILES: readonly WallTile[] = [
  { kind: 'bp', metrics: ['bp_systolic', 'bp_diastolic'] },
  { kind: 'single', metric: 'pulse_rate' },
  { kind: 'single', metric: 'spo2' },
  { kind: 'single', metric: 'body_temperature' },
  { kind: 'single', metric: 'body_weight' },
  { kind: 'single', metric: 'glucose' },
];

/** A chart of the patient page: the metrics drawn on it, the first one named in `data-metric`. */
export interface ChartGroup {
  id: string;
  metrics: Metric[];
}

const BP_METRICS: readonly Metric[] = ['bp_systolic', 'bp_diastolic', 'bp_mean'];

/**
 * The charts for the metrics that have data, in the metric table's order: one chart for blood
 * pressure (systolic, diastolic and mean when present), one chart for each other metric.
 */
export function chartGroups(present: Iterable<Metric>): ChartGroup[] {
  const have = new Set(present);
  const groups: ChartGroup[] = [];
  for (const metric of METRIC_NAMES) {
    if (!have.has(metric)) continue;
    if (BP_METRICS.includes(metric)) {
      if (groups.some((g) => g.id === 'bp')) continue;
      groups.push({ id: 'bp', metrics: BP_METRICS.filter((m) => have.has(m)) });
    } else {
      groups.push({ id: metric, metrics: [metric] });
    }
  }
  return groups;
}
