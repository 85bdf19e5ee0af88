import { describe, expect, it } from 'vitest';
import { thresholdBands } from './chart-overlays.ts';

describe('threshold bands', () => {
  it('shades beyond each limit, medium first and high over it, clipped to what the chart shows', () => {
    expect(thresholdBands([{ direction: 'below', medium: 93, high: 90 }], 85, 100)).toStrictEqual([
      { level: 'medium', from: 85, to: 93 },
      { level: 'high', from: 85, to: 90 },
    ]);
    expect(thresholdBands([{ direction: 'above', medium: 160, high: 180 }], 100, 170)).toStrictEqual([
      { level: 'medium', from: 160, to: 170 },
    ]);
  });

  it('draws both directions of one metric, and nothing for a limit outside the range', () => {
    const bands = thresholdBands(
      [
        { direction: 'above', high: 130, medium: 110 },
        { direction: 'below', high: 40, medium: 50 },
      ],
      60,
      100,
    );
    expect(bands).toStrictEqual([]);
    expect(thresholdBands([{ direction: 'below', medium: 50 }], 45, 120)).toStrictEqual([
      { level: 'medium', from: 45, to: 50 },
    ]);
  });
});
