/**
 * Building contract readings from decoded fields: canonical units, the device's own value in
 * `source`, one rule for special values, and the shared per-decode context.
 *
 * Converted values (canonical unit) are exact, never rounded (CONTRACT.md "Metrics"): 18.9 kPa
 * becomes 141.7616235 mmHg, 0.0054 mol/L becomes 97.2864 mg/dL, 150.2 lb 68.129573974 kg; the
 * contract's conversions (contract/src/units.ts) return the double nearest the exact decimal.
 * Rounding for display is the dashboard's job (dashboard/src/client/metric-display.ts).
 *
 * Values already in the canonical unit are not converted: SFLOAT/FLOAT decode to the double
 * nearest their decimal (36.5), fixed-resolution integers are rounded to the decimals of their
 * resolution (raw x 0.005 kg to 3 decimals, BMI x 0.1 to 1). `source.value` is the device's
 * value decoded the same way.
 *
 * Special values (contract "Special values are not numbers"): the reading is still emitted,
 * without `value` and `source`, with one flag naming the special value (`value_nan`,
 * `value_nres`, `value_pos_inf`, `value_neg_inf`, `value_reserved`, `measurement_unsuccessful`),
 * placed after the reading's other flags. Context/info fields that hold a special value are
 * left out of `info` with a note.
 */
import {
  type DecodedReading,
  type Flag,
  fahrenheitToCelsius,
  inToCm,
  kgLToMgDl,
  kPaToMmHg,
  lbToKg,
  type Metric,
  molLToMgDl,
  mToCm,
  unitOf,
} from '@vitals/contract';
import { SPECIAL_VALUE_FLAG } from '../ieee11073.ts';
import type { Measured, Scale } from './layout.ts';

export interface Conversion {
  /** UCUM unit of the device's own value, kept in `source`. */
  unit: string;
  toCanonical: (v: number) => number;
}

export const FROM_KPA: Conversion = { unit: 'kPa', toCanonical: kPaToMmHg };
export const FROM_DEGF: Conversion = { unit: '[degF]', toCanonical: fahrenheitToCelsius };
export const FROM_LB: Conversion = { unit: '[lb_av]', toCanonical: lbToKg };
export const FROM_M: Conversion = { unit: 'm', toCanonical: mToCm };
export const FROM_IN: Conversion = { unit: '[in_i]', toCanonical: inToCm };
export const FROM_KGL: Conversion = { unit: 'kg/L', toCanonical: kgLToMgDl };
export const FROM_MOLL: Conversion = { unit: 'mol/L', toCanonical: molLToMgDl };

/** What every decoder gets besides the bytes. */
export interface BleContext {
  tz: string;
  /** Hex values of other characteristics (weightScaleFeature, plxFeatures, ...). */
  context: Readonly<Record<string, string>>;
  /** Per-field scales that replace the specification's (set by model quirks only). */
  scaleOverride?: Readonly<Record<string, Scale>>;
}

export function specialFlag(v: Measured): Flag | undefined {
  if (v.kind === 'number') return undefined;
  return v.kind === 'unsuccessful' ? 'measurement_unsuccessful' : SPECIAL_VALUE_FLAG[v.kind];
}

/** One reading: canonical unit, `source` when converted, flags in the order given then the special-value flag. */
export function makeReading(
  metric: Metric,
  v: Measured,
  opts: { from?: Conversion | undefined; flags?: readonly Flag[]; time?: string | undefined } = {},
): DecodedReading {
  const r: DecodedReading = { metric, unit: unitOf(metric) };
  const flags: string[] = [...(opts.flags ?? [])];
  if (v.kind === 'number') {
    if (opts.from) {
      r.value = opts.from.toCanonical(v.value);
      r.source = { value: v.value, unit: opts.from.unit };
    } else {
      r.value = v.value;
    }
  } else {
    flags.push(specialFlag(v)!);
  }
  if (opts.time !== undefined) r.time = opts.time;
  if (flags.length > 0) r.flags = flags;
  return r;
}

/** Reads a hex context value; a malformed one is ignored with a note. */
export function contextBytes(ctx: BleContext, key: string, notes: string[]): Uint8Array | undefined {
  const hex = ctx.context[key];
  if (hex === undefined) return undefined;
  const clean = hex.replace(/^0x/i, '').replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    notes.push(`context ${key} is not valid hex; ignored`);
    return undefined;
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Names of the set bits of `value` per a bit table; unnamed set bits are returned apart. */
export function bitNames<T extends string>(
  value: number,
  table: readonly (readonly [bit: number, name: T])[],
): { names: T[]; unknown: number } {
  const names: T[] = [];
  let named = 0;
  for (const [bit, name] of table) {
    const mask = 2 ** bit;
    if (Math.floor(value / mask) % 2 === 1) {
      names.push(name);
      named += mask;
    }
  }
  return { names, unknown: value - named };
}

/** A number for `info`, or undefined with a note when the device sent a special value. */
export function infoNumber(v: Measured, what: string, notes: string[]): number | undefined {
  if (v.kind === 'number') return v.value;
  notes.push(`${what} is ${v.kind === 'unsuccessful' ? 'marked unsuccessful' : specialName(v.kind)}; left out`);
  return undefined;
}

function specialName(kind: Exclude<Measured['kind'], 'number' | 'unsuccessful'>): string {
  return { nan: 'NaN', nres: 'NRes', pos_inf: '+INFINITY', neg_inf: '-INFINITY', reserved: 'a reserved value' }[kind];
}

/** `info.userId`: the id, or 'unknown' for 0xFF (GSS User Index: 0xFF = unknown user). */
export function userIdInfo(id: number): number | 'unknown' {
  return id === 0xff ? 'unknown' : id;
}
