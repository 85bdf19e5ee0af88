/** Issue 17: readings → PHD IG Observations, and the search parameters, as pure functions. */
import { describe, expect, it } from 'vitest';
import { metricsOfCode } from './codes.ts';
import { observationId } from './ids.ts';
import { groupReadings, type ReadingRecord, toObservations } from './observation.ts';
import { boundsOf, decodeCursor, encodeCursor, metricsOfCodes, SearchError } from './search.ts';

const T = new Date('2026-11-24T07:59:58.000Z');

function reading(over: Partial<ReadingRecord>): ReadingRecord {
  return {
    id: 'gw-1:r:1',
    patient_id: '6f1c2a4e-0000-4000-8000-000000000001',
    device_id: 'ble:c4:7c:8d:6a:3f:21',
    gateway_id: 'gw-tokyo-0001',
    metric: 'spo2',
    time: T,
    value: 96,
    code: null,
    unit: '%',
    time_source: 'device',
    flags: null,
    group_id: null,
    received_at: new Date(T.getTime() + 2_000),
    recorded_by: null,
    recorder_name: null,
    ...over,
  };
}

describe('readings as Observations', () => {
  it('makes one blood-pressure Observation of a cuff inflation, anchored on its smallest reading id, with the pulse apart', () => {
    const group = 'gw-1:g:1';
    const rows = [
      reading({ id: 'b-dia', metric: 'bp_diastolic', value: 82.5123, unit: 'mm[Hg]', group_id: group }),
      reading({
        id: 'a-sys',
        metric: 'bp_systolic',
        value: 132.0108,
        unit: 'mm[Hg]',
        group_id: group,
        flags: ['irregular_pulse'],
      }),
      reading({ id: 'c-map', metric: 'bp_mean', value: 99, unit: 'mm[Hg]', group_id: group }),
      reading({ id: 'd-pr', metric: 'pulse_rate', value: 71, unit: '/min', group_id: group }),
    ];
    const [bp, pulse] = toObservations(rows);
    expect(bp!.id).toBe(observationId('a-sys'));
    expect(bp!.identifier!.map((i) => i.value)).toEqual(['a-sys', 'b-dia', 'c-map']);
    expect(
      bp!.component!.map((c) => [c.code.coding![0]!.code, c.code.coding!.at(-1)!.code, c.valueQuantity!.value]),
    ).toEqual([
      ['8480-6', '150021', 132.0108],
      ['8462-4', '150022', 82.5123],
      ['8478-0', '150023', 99],
    ]);
    expect(bp!.extension).toContainEqual(
      expect.objectContaining({ valueCoding: expect.objectContaining({ code: 'irregular_pulse' }) }),
    );
    // The pulse of a cuff has MDC_PULS_RATE_NON_INV, not the oximeter's code.
    expect(pulse!.code.coding!.map((c) => c.code)).toEqual(['8867-4', '149546']);
  });

  it('keeps pressures of two devices at the same instant apart, and orders by time then anchor', () => {
    const rows = [
      reading({ id: 'z', metric: 'bp_systolic', unit: 'mm[Hg]', device_id: 'ble:01' }),
      reading({ id: 'y', metric: 'bp_systolic', unit: 'mm[Hg]', device_id: 'ble:02' }),
      reading({ id: 'x', metric: 'spo2', time: new Date(T.getTime() - 1) }),
    ];
    expect(groupReadings(rows).map((g) => g.anchor)).toEqual(['x', 'y', 'z']);
  });

  it('says why a value is missing, marks intermediate values preliminary and a superseded one entered in error', () => {
    const [nan, inter, superseded] = toObservations([
      reading({ id: '1', value: null, flags: ['value_nan'] }),
      reading({ id: '2', time: new Date(T.getTime() + 1), flags: ['intermediate'] }),
      reading({
        id: '3',
        time: new Date(T.getTime() + 2),
        flags: ['superseded'],
        device_id: 'observation',
        gateway_id: '',
        recorded_by: 'u1',
        recorder_name: '看護師 山田',
      }),
    ]);
    expect(nan!.dataAbsentReason!.coding![0]!.code).toBe('not-a-number');
    expect(nan!.valueQuantity).toBeUndefined();
    expect(inter!.status).toBe('preliminary');
    expect(superseded!.status).toBe('entered-in-error');
    expect(superseded!.device).toBeUndefined();
    expect(superseded!.performer).toEqual([
      { type: 'Practitioner', identifier: { system: 'urn:vitals:user-id', value: 'u1' }, display: '看護師 山田' },
    ]);
  });

  it('says how the time was obtained: a corrected device clock, the gateway, a member', () => {
    const source = (o: Partial<ReadingRecord>) =>
      toObservations([reading(o)])[0]!.extension!.find((e) => e.url.endsWith('time-source'))!.valueCode;
    expect(source({ flags: ['device_clock_corrected'] })).toBe('device-corrected');
    expect(source({ time_source: 'gateway' })).toBe('gateway');
    expect(source({ device_id: 'observation', gateway_id: '' })).toBe('recorded');
  });
});

describe('search parameters', () => {
  it('reads date prefixes as bounds on a UTC day or an instant', () => {
    expect(boundsOf('date', '2026-11-24')).toEqual([
      { op: '>=', at: new Date('2026-11-24T00:00:00Z') },
      { op: '<', at: new Date('2026-11-25T00:00:00Z') },
    ]);
    expect(boundsOf('date', 'gt2026-11')).toEqual([{ op: '>=', at: new Date('2026-12-01T00:00:00Z') }]);
    expect(boundsOf('date', 'le2026-11-24T09:00:00+09:00')).toEqual([
      { op: '<', at: new Date('2026-11-24T00:00:00.001Z') },
    ]);
    expect(() => boundsOf('date', 'sa2026')).toThrow(SearchError);
    expect(() => boundsOf('date', '2026-13-01')).toThrow(SearchError);
    expect(() => boundsOf('date', '2026-11-24T09:00')).toThrow(SearchError);
  });

  it('finds metrics by LOINC or MDC code, with or without the system, and blood pressure by any of its codes', () => {
    expect(metricsOfCode('http://loinc.org|8867-4')).toEqual(['pulse_rate']);
    expect(metricsOfCode('urn:iso:std:iso:11073:10101|150456')).toEqual(['spo2']);
    expect(metricsOfCode('2708-6')).toEqual(['spo2']);
    expect(metricsOfCode('8480-6')).toEqual(['bp_systolic', 'bp_diastolic', 'bp_mean']);
    expect(metricsOfCode('http://loinc.org|150456')).toBeUndefined();
    expect(metricsOfCodes(['8310-5,29463-7'])).toEqual(['body_temperature', 'body_weight']);
  });

  it('round-trips its page cursor and refuses one it did not make', () => {
    const c = { time: T, anchor: 'gw-1:r:1' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(() => decodeCursor('bm90IG91cnM')).toThrow(SearchError);
  });
});
