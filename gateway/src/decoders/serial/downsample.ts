/**
 * Continuous oximeters give 3 (Nonin) to 60 (CMS50D+) values per second. The running gateway
 * publishes ONE reading per metric per wall-clock second, chosen so that short dips stay
 * visible on the server:
 *   - `spo2`: the minimum of the second (a desaturation must never be averaged away);
 *   - `pulse_rate`: the value farthest from the median of the second (so both a brady- and a
 *     tachycardic excursion survive); ties go to the lower value;
 *   - any other metric: the last value of the second.
 * The chosen reading keeps its own flags plus the flags of every value of that second
 * (a flagged sample is not hidden by an unflagged neighbour); no flag is added for the
 * downsampling itself. The decoder command does not downsample: it prints every frame.
 */
import type { DecodedReading, Metric } from '@vitals/contract';

export interface SecondReading {
  /** Start of the wall-clock second the reading stands for, ms since the epoch. */
  second: number;
  reading: DecodedReading;
}

type Chooser = (values: DecodedReading[]) => DecodedReading;

const numeric = (r: DecodedReading): number => r.value ?? Number.NaN;

const minimum: Chooser = (values) => values.reduce((best, r) => (numeric(r) < numeric(best) ? r : best), values[0]!);

const farthestFromMedian: Chooser = (values) => {
  const sorted = values.map(numeric).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return values.reduce((best, r) => {
    const d = Math.abs(numeric(r) - median);
    const bestD = Math.abs(numeric(best) - median);
    return d > bestD || (d === bestD && numeric(r) < numeric(best)) ? r : best;
  }, values[0]!);
};

const last: Chooser = (values) => values[values.length - 1]!;

export const DOWNSAMPLE_RULES: Partial<Record<Metric, Chooser>> = {
  spo2: minimum,
  pulse_rate: farthestFromMedian,
};

export class PerSecondDownsampler {
  private second: number | null = null;
  private values = new Map<Metric, DecodedReading[]>();

  /**
   * Adds readings received at `atMs`. Returns the readings of every second that is now over
   * (time never goes back: a reading of an earlier second joins the current one).
   */
  push(readings: readonly DecodedReading[], atMs: number): SecondReading[] {
    const second = Math.floor(atMs / 1000) * 1000;
    const done = this.second !== null && second > this.second ? this.flush() : [];
    if (this.second === null || second > this.second) this.second = second;
    for (const r of readings) {
      if (r.value === undefined) continue;
      const list = this.values.get(r.metric) ?? [];
      list.push(r);
      this.values.set(r.metric, list);
    }
    return done;
  }

  /** Emits the current second now (at the end of a stream). */
  flush(): SecondReading[] {
    const out: SecondReading[] = [];
    if (this.second === null) return out;
    for (const [metric, values] of this.values) {
      if (values.length === 0) continue;
      const chosen = (DOWNSAMPLE_RULES[metric] ?? last)(values);
      const flags = [...new Set(values.flatMap((v) => v.flags ?? []))];
      const reading: DecodedReading = { ...chosen };
      if (flags.length) reading.flags = flags;
      else delete reading.flags;
      out.push({ second: this.second, reading });
    }
    this.values = new Map();
    this.second = null;
    return out;
  }
}
