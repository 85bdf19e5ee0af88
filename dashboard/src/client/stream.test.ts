import { describe, expect, it } from 'vitest';
import { parseAlertChange, parseLiveReading } from './stream.ts';

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

describe('parseAlertChange', () => {
  const change = {
    alertId: 'a1',
    patientId: 'p1',
    rule: 'spo2_low',
    priority: 'high',
    state: 'firing',
    transition: 'opened',
    at: '2026-12-01T10:00:00.000Z',
  };

  it('reads the data of an alert event', () => {
    expect(parseAlertChange(JSON.stringify({ ...change, extra: 1 }))).toStrictEqual(change);
  });

  it('ignores data without the alert, patient, state or transition', () => {
    expect(parseAlertChange('[]')).toBeNull();
    expect(parseAlertChange('{')).toBeNull();
    expect(parseAlertChange(JSON.stringify({ ...change, alertId: 5 }))).toBeNull();
    const { transition: _t, ...without } = change;
    expect(parseAlertChange(JSON.stringify(without))).toBeNull();
  });
});
