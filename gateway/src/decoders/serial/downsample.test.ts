import { describe, expect, it } from 'vitest';
import { PerSecondDownsampler } from './downsample.ts';

const spo2 = (value: number, flags?: string[]) => ({
  metric: 'spo2' as const,
  value,
  unit: '%',
  ...(flags ? { flags } : {}),
});
const pr = (value: number) => ({ metric: 'pulse_rate' as const, value, unit: '/min' });

describe('per-second downsampler', () => {
  it('publishes the minimum SpO2 of each second once the second is over', () => {
    const d = new PerSecondDownsampler();
    expect(d.push([spo2(97)], 1000)).toStrictEqual([]);
    expect(d.push([spo2(91)], 1300)).toStrictEqual([]);
    expect(d.push([spo2(96)], 1900)).toStrictEqual([]);
    expect(d.push([spo2(98)], 2100)).toStrictEqual([{ second: 1000, reading: spo2(91) }]);
    expect(d.flush()).toStrictEqual([{ second: 2000, reading: spo2(98) }]);
  });

  it('publishes the pulse rate farthest from the median of the second', () => {
    const d = new PerSecondDownsampler();
    d.push([pr(72), pr(71), pr(73), pr(52), pr(72)], 5000);
    expect(d.flush()).toStrictEqual([{ second: 5000, reading: pr(52) }]);
  });

  it('carries every flag seen in the second onto the published reading', () => {
    const d = new PerSecondDownsampler();
    d.push([spo2(95), spo2(96, ['artifact']), spo2(97, ['low_perfusion'])], 0);
    expect(d.flush()).toStrictEqual([{ second: 0, reading: spo2(95, ['artifact', 'low_perfusion']) }]);
  });

  it('publishes one reading per metric per second for a 60-per-second stream', () => {
    const d = new PerSecondDownsampler();
    const out = [];
    for (let i = 0; i < 180; i++) out.push(...d.push([spo2(90 + (i % 7)), pr(60 + (i % 5))], 10_000 + i * (1000 / 60)));
    out.push(...d.flush());
    expect(out.map((o) => [o.second, o.reading.metric])).toStrictEqual([
      [10_000, 'spo2'],
      [10_000, 'pulse_rate'],
      [11_000, 'spo2'],
      [11_000, 'pulse_rate'],
      [12_000, 'spo2'],
      [12_000, 'pulse_rate'],
    ]);
    expect(out.filter((o) => o.reading.metric === 'spo2').map((o) => o.reading.value)).toStrictEqual([90, 90, 90]);
  });
});
