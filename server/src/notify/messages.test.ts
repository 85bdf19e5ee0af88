import { describe, expect, it } from 'vitest';
import { news2ValueText, pageText } from './messages.ts';

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
