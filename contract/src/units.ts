/** Unit conversions of the wire contract. The one place these factors live. */
export const MMHG_PER_KPA = 7.500615;
export const KG_PER_LB = 0.45359237;
export const CM_PER_IN = 2.54;
export const MGDL_PER_MMOLL = 18.016;
/** BLE glucose concentration in kg/L times this factor gives mg/dL. */
export const MGDL_PER_KGL = 100_000;

export const kPaToMmHg = (kPa: number): number => kPa * MMHG_PER_KPA;
export const fahrenheitToCelsius = (f: number): number => ((f - 32) * 5) / 9;
export const lbToKg = (lb: number): number => lb * KG_PER_LB;
export const inToCm = (inches: number): number => inches * CM_PER_IN;
export const mmolLToMgDl = (mmolL: number): number => mmolL * MGDL_PER_MMOLL;
export const kgLToMgDl = (kgL: number): number => kgL * MGDL_PER_KGL;

/** Round to a number of decimals without binary noise such as 131.99999999999997. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
