import { METRIC_NAMES, METRICS } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  LOCALE_STORAGE_KEY,
  LOCALES,
  metricLabel,
  storedLocale,
  storeLocale,
  translate,
  unitLabel,
} from './i18n.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogue', () => {
  it('has every key in every language, with text', () => {
    const keys = Object.keys(CATALOGUE.en).sort();
    for (const locale of LOCALES) {
      expect(Object.keys(CATALOGUE[locale]).sort()).toStrictEqual(keys);
      for (const key of keys) expect(CATALOGUE[locale][key as keyof typeof CATALOGUE.en].trim()).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(CATALOGUE.en) as (keyof typeof CATALOGUE.en)[]) {
      expect(placeholders(CATALOGUE.ja[key]), key).toStrictEqual(placeholders(CATALOGUE.en[key]));
    }
  });

  it('has a display text for every canonical unit of the metric table', () => {
    for (const metric of METRIC_NAMES) {
      for (const locale of LOCALES) expect(Object.hasOwn(CATALOGUE[locale], `unit.${METRICS[metric].unit}`)).toBe(true);
    }
    expect(unitLabel('ja', 'Cel')).toBe('℃');
    expect(unitLabel('en', 'mm[Hg]')).toBe('mmHg');
    expect(unitLabel('en', 'furlong')).toBe('furlong');
  });

  it("takes metric names from the contract's metric table", () => {
    expect(metricLabel('ja', 'body_temperature')).toBe('体温');
    expect(metricLabel('en', 'pulse_rate')).toBe('Pulse rate');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'wall.measuredAt', { time: '14:28', ago: 'now' })).toBe('Measured 14:28 (now)');
    expect(translate('ja', 'wall.measuredAt', { time: '14:28' })).toBe('測定 14:28（{ago}）');
  });
});

describe('the stored language', () => {
  const memory = () => {
    const map = new Map<string, string>();
    return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) };
  };

  it('is read back after the toggle stored it', () => {
    const storage = memory();
    expect(storedLocale(storage)).toBeNull();
    storeLocale(storage, 'en');
    expect(storedLocale(storage)).toBe('en');
  });

  it('is ignored when the stored value is not a language', () => {
    const storage = memory();
    storage.setItem(LOCALE_STORAGE_KEY, 'fr');
    expect(storedLocale(storage)).toBeNull();
  });

  it('is absent rather than an error when storage is disabled', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(storedLocale(broken)).toBeNull();
    expect(() => storeLocale(broken, 'ja')).not.toThrow();
  });
});
