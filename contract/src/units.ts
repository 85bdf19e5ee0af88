/**
 * Unit conversions of the wire contract. The one place these factors live.
 *
 * Converted values are exact, never rounded to a display precision (CONTRACT.md, "Metrics"):
 * a device value is a decimal (18.9 kPa), each factor is a decimal (7.500615), so their product
 * is a decimal with as many places as both together (141.7616235). The conversions return the
 * double nearest that decimal, without binary noise such as 141.76162349999998. Rounding for
 * display is the dashboard's job.
 */
export const MMHG_PER_KPA = 7.500615;
export const KG_PER_LB = 0.45359237;
export const CM_PER_IN = 2.54;
export const MGDL_PER_MMOLL = 18.016;
/** BLE glucose concentration in kg/L times this factor gives mg/dL. */
export const MGDL_PER_KGL = 100_000;
/** BLE glucose concentration in mol/L times this factor gives mg/dL (1 mmol/L = 18.016 mg/dL). */
export const MGDL_PER_MOLL = 18_016;

/** Decimal places of a number as JavaScript prints it (1e-7 has 7, 0.0054 has 4). */
export function decimalPlaces(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const [mantissa, exponent] = String(x).split('e');
  return Math.max(0, (mantissa!.split('.')[1] ?? '').length - Number(exponent ?? 0));
}

/**
 * value × factor as the double nearest the exact decimal product. When that product has too
 * many significant digits for a double to tell it from its neighbours, the plain product is
 * already as exact as a double can be.
 */
export function exactProduct(value: number, factor: number): number {
  const product = value * factor;
  const places = decimalPlaces(value) + decimalPlaces(factor);
  if (places > 20 || Math.abs(product) * 10 ** places >= Number.MAX_SAFE_INTEGER) return product;
  return roundTo(product, places);
}

export const kPaToMmHg = (kPa: number): number => exactProduct(kPa, MMHG_PER_KPA);
/** (F − 32) is a decimal like F; the division by 9 is then as exact as a double allows. */
export const fahrenheitToCelsius = (f: number): number => (roundTo(f - 32, decimalPlaces(f)) * 5) / 9;
export const lbToKg = (lb: number): number => exactProduct(lb, KG_PER_LB);
export const inToCm = (inches: number): number => exactProduct(inches, CM_PER_IN);
export const mmolLToMgDl = (mmolL: number): number => exactProduct(mmolL, MGDL_PER_MMOLL);
export const molLToMgDl = (molL: number): number => exactProduct(molL, MGDL_PER_MOLL);
export const kgLToMgDl = (kgL: number): number => exactProduct(kgL, MGDL_PER_KGL);
export const mToCm = (m: number): number => exactProduct(m, 100);

/** Round to a number of decimals without binary noise such as 131.99999999999997. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
