import { describe, expect, it } from 'vitest';
import { parseAlertChange, parseLiveReading, parseTimelineChange } from './stream.ts';

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

describe('parseTimelineChange', () => {
  const posted = { itemId: 'i1', patientId: 'p1', kind: 'post', sensitivity: 'team', time: '2026-11-24T06:00:00.000Z' };

  it('reads a new, an edited and a withdrawn item, and a receipt', () => {
    expect(parseTimelineChange(JSON.stringify({ ...posted, change: 'posted' }), false)).toStrictEqual({
      itemId: 'i1',
      patientId: 'p1',
      change: 'posted',
    });
    expect(parseTimelineChange(JSON.stringify({ ...posted, change: 'edited' }), false)?.change).toBe('edited');
    expect(parseTimelineChange(JSON.stringify({ ...posted, change: 'withdrawn' }), false)?.change).toBe('withdrawn');
    expect(parseTimelineChange(JSON.stringify(posted), false)?.change).toBe('posted');
    const receipt = { itemId: 'i1', patientId: 'p1', userId: 'u1', at: '2026-11-24T06:00:00.000Z' };
    expect(parseTimelineChange(JSON.stringify(receipt), true)).toStrictEqual({
      itemId: 'i1',
      patientId: 'p1',
      change: 'read',
      userId: 'u1',
    });
  });

  it('ignores data that names no item and patient, or an unknown change', () => {
    expect(parseTimelineChange('not json', false)).toBeNull();
    expect(parseTimelineChange('null', true)).toBeNull();
    expect(parseTimelineChange(JSON.stringify({ ...posted, itemId: 1 }), false)).toBeNull();
    expect(parseTimelineChange(JSON.stringify({ ...posted, patientId: undefined }), true)).toBeNull();
    expect(parseTimelineChange(JSON.stringify({ ...posted, change: 'deleted' }), false)).toBeNull();
  });
});
