import { describe, expect, it } from 'vitest';
import { news2ValueText, pageText, valueText } from './messages.ts';

describe('the NEWS2 alert message', () => {
  const partial = {
    score: 5,
    band: 'medium',
    partial: true,
    missing: ['respiratoryRate', 'consciousness'],
    parameters: {
      spo2: { value: 91, score: 3 },
      airOrOxygen: { value: 0, score: 0 },
      pulse: { value: 115, score: 2 },
    },
  };
  const complete = {
    score: 8,
    band: 'high',
    partial: false,
    missing: [],
    parameters: {
      respiratoryRate: { value: 16, score: 0 },
      spo2: { value: 85, score: 3 },
      consciousness: { value: 'V', score: 3 },
      pulse: { value: 118, score: 2 },
    },
  };

  it.each([
    ['en', partial, '≥ 5 (partial: consciousness, respiratory rate missing): SpO2 3, pulse 2'],
    ['ja', partial, '≥ 5（一部のみ: 意識レベル、呼吸数 未測定）: SpO2 3点、脈拍 2点'],
    ['en', complete, '8: SpO2 3, consciousness 3, pulse 2'],
    ['ja', complete, '8: SpO2 3点、意識レベル 3点、脈拍 2点'],
    [
      'en',
      { score: 0, partial: true, missing: ['consciousness'], parameters: {} },
      '≥ 0 (partial: consciousness missing)',
    ],
  ] as const)('in %s says the score, what scored and what is missing (%#)', (locale, detail, text) => {
    expect(news2ValueText(locale, detail)).toBe(text);
  });

  it.each([[null], [{}], [{ riseKg: 2.1 }], ['7']])('is null for a detail that is not NEWS2 (%j)', (detail) => {
    expect(news2ValueText('en', detail)).toBeNull();
  });

  it('is what a page of a NEWS2 alert says when given the alert detail', () => {
    const page = pageText('en', {
      rule: 'news2',
      priority: 'medium',
      value: 5,
      news2: partial,
      openedAt: new Date('2026-11-24T03:00:00Z'),
      ackUrl: 'https://vitals.test/ack',
      alertUrl: 'https://vitals.test/a',
      patientName: 'Sato',
      timezone: 'Asia/Tokyo',
    });
    expect(page.subject).toBe(
      '[MEDIUM] Sato: Raised NEWS2 score ≥ 5 (partial: consciousness, respiratory rate missing): SpO2 3, pulse 2',
    );
  });
});

describe('the value a page shows', () => {
  it.each([
    [{ value: 141.7616235, metric: 'bp_systolic', unit: 'mm[Hg]' }, '142 mm[Hg]'],
    [{ value: 97.2864, metric: 'glucose', unit: 'mg/dL' }, '97 mg/dL'],
    [{ value: 38.25, metric: 'body_temperature', unit: 'Cel' }, '38.3 Cel'],
    [{ value: 2.35, metric: 'perfusion_index', unit: '%' }, '2.4 %'],
    [{ value: 88, metric: 'spo2', unit: '%' }, '88 %'],
    // Only the unit known: the most decimals any metric of that unit shows, no trailing zeros.
    [{ value: 141.7616235, unit: 'mm[Hg]' }, '142 mm[Hg]'],
    [{ value: 88, unit: '%' }, '88 %'],
  ])('rounds %j to the resolution people read: %s', (a, text) => {
    expect(valueText('en', a)).toBe(text);
  });
});
