import { describe, expect, it } from 'vitest';
import { type DomainEvents, type EventName, eventCodecs, isEventName } from './domain-events.ts';

/** One example of every event: a new event without an example fails to compile here. */
const examples: { [K in EventName]: DomainEvents[K] } = {
  'readings.stored': {
    rows: [
      {
        id: 'gw-1:a:000000000001',
        patient_id: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11',
        device_id: 'ble:00:1c:05:ee:ee:01',
        gateway_id: 'gw-1',
        flags: ['battery_low'],
        metric: 'spo2',
        time: new Date('2026-12-01T10:00:00.123Z'),
        value: 97,
        unit: '%',
      },
      {
        id: 'gw-1:a:000000000002',
        patient_id: null,
        device_id: 'ble:00:1c:05:ee:ee:02',
        gateway_id: 'gw-1',
        flags: null,
        metric: 'heart_rate',
        time: new Date('2026-12-01T10:00:01Z'),
        value: null,
        unit: '/min',
      },
    ],
  },
  'readings.attached': {
    rows: [
      {
        id: 'gw-1:a:000000000003',
        patient_id: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11',
        device_id: 'ble:00:1c:05:ee:ee:01',
        gateway_id: 'gw-1',
        flags: null,
        metric: 'spo2',
        time: new Date('2026-11-30T10:00:00Z'),
        value: 95.5,
        unit: '%',
      },
    ],
  },
  'gateway.status': { gatewayId: 'gw-1', status: { state: 'online', time: '2026-12-01T10:00:00Z' } },
  'gateway.event': {
    gatewayId: 'gw-1',
    event: { time: '2026-12-01T10:00:00Z', device: 'ble:00:1c:05:ee:ee:01', type: 'battery', detail: { level: 12 } },
  },
  'alert.changed': {
    alertId: '0b4c1f2e-9d8a-4c7b-8e6f-1a2b3c4d5e6f',
    patientId: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11',
    rule: 'spo2_low',
    priority: 'high',
    state: 'firing',
    transition: 'opened',
    at: '2026-12-01T10:00:00.000Z',
  },
  'session.ended': { sessionId: 'c2f1' },
  'care-team.changed': { patientId: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11', userId: 'u-1' },
  'patient.changed': { patientId: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11' },
  'timeline.posted': {
    itemId: '3a1f0c9e-2b7d-4e8a-9c6b-5d4e3f2a1b0c',
    patientId: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11',
    kind: 'post',
    sensitivity: 'clinical',
    time: '2026-12-01T10:00:00.000Z',
    change: 'posted',
  },
  'timeline.read': {
    itemId: '3a1f0c9e-2b7d-4e8a-9c6b-5d4e3f2a1b0c',
    patientId: '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11',
    sensitivity: 'clinical',
    userId: 'u-1',
    at: '2026-12-01T10:05:00.000Z',
  },
};

describe('the domain event map', () => {
  it.each(Object.keys(examples) as EventName[])('carries %s across instances unchanged (through JSON text)', (name) => {
    const codec = eventCodecs[name];
    const wire = JSON.parse(JSON.stringify(codec.encode(examples[name] as never)));
    expect(codec.decode(wire)).toStrictEqual(examples[name]);
  });

  it('names every event it has a codec for, and nothing else', () => {
    expect(Object.keys(eventCodecs).sort()).toStrictEqual(Object.keys(examples).sort());
    expect(isEventName('readings.stored')).toBe(true);
    expect(isEventName('toString')).toBe(false);
    expect(isEventName('reading')).toBe(false);
  });

  it('refuses a wire payload that is not what it encodes', () => {
    expect(() => eventCodecs['readings.stored'].decode({ id: ['a'], time: [] })).toThrow(/column/);
    expect(() => eventCodecs['session.ended'].decode({})).toThrow(/sessionId/);
    expect(() => eventCodecs['alert.changed'].decode([])).toThrow(/not an object/);
  });
});
