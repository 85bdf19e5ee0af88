import { describe, expect, it } from 'vitest';
import {
  decimalPlaces,
  exactProduct,
  fahrenheitToCelsius,
  inToCm,
  kgLToMgDl,
  kPaToMmHg,
  lbToKg,
  mmolLToMgDl,
  molLToMgDl,
  mToCm,
} from './units.ts';

describe('conversions are exact, never rounded to a display precision', () => {
  it.each([
    ['kPa → mmHg', kPaToMmHg, 18.9, 141.7616235],
    ['kPa → mmHg', kPaToMmHg, 17.6, 132.010824],
    ['kPa → mmHg', kPaToMmHg, 16, 120.00984],
    ['mol/L → mg/dL', molLToMgDl, 0.0054, 97.2864],
    ['mmol/L → mg/dL', mmolLToMgDl, 5.4, 97.2864],
    ['mmol/L → mg/dL', mmolLToMgDl, 0.95, 17.1152],
    ['kg/L → mg/dL', kgLToMgDl, 0.00123, 123],
    ['lb → kg', lbToKg, 154.32, 69.9983745384],
    ['lb → kg', lbToKg, 1, 0.45359237],
    ['in → cm', inToCm, 70.9, 180.086],
    ['m → cm', mToCm, 1.755, 175.5],
    ['°F → °C', fahrenheitToCelsius, 98.6, 37],
    ['°F → °C', fahrenheitToCelsius, 100.4, 38],
    ['°F → °C', fahrenheitToCelsius, 98.7, 333.5 / 9],
  ])('%s: %d gives %d', (_name, convert, from, to) => {
    expect(convert(from)).toBe(to);
  });

  it('counts decimal places also of numbers printed with an exponent', () => {
    expect([
      decimalPlaces(0.0054),
      decimalPlaces(1e-7),
      decimalPlaces(1.5e-7),
      decimalPlaces(120),
      decimalPlaces(1e21),
    ]).toEqual([4, 7, 8, 0, 0]);
  });

  it('leaves a product with more digits than a double holds as the plain product', () => {
    expect(exactProduct(123456.789012, 0.45359237)).toBe(123456.789012 * 0.45359237);
  });
});
