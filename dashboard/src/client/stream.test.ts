import { describe, expect, it } from 'vitest';
import { parseLiveReading } from './stream.ts';

describe('parseLiveReading', () => {
  it('reads the data of a reading event', () => {
    const data = JSON.stringify({ patientId: 'p1', metric: 'spo2', t: '2026-11-24T06:00:00.000Z', v: 97, unit: '%' });
    expect(parseLiveReading(data)).toStrictEqual({
      patientId: 'p1',
      metric: 'spo2',
      t: '2026-11-24T06:00:00.000Z',
      v: 97,
      unit: '%',
    });
  });

  it('ignores data that is not a reading of a known metric with a number and a time', () => {
    const ok = { patientId: 'p1', metric: 'spo2', t: '2026-11-24T06:00:00.000Z', v: 97, unit: '%' };
    expect(parseLiveReading('not json')).toBeNull();
    expect(parseLiveReading('null')).toBeNull();
    expect(parseLiveReading(JSON.stringify({ ...ok, metric: 'mood' }))).toBeNull();
    expect(parseLiveReading(JSON.stringify({ ...ok, v: '97' }))).toBeNull();
    expect(parseLiveReading(JSON.stringify({ ...ok, t: 'later' }))).toBeNull();
    expect(parseLiveReading(JSON.stringify({ ...ok, patientId: 7 }))).toBeNull();
  });
});
