import { effect } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../alerts/api.ts';
import type { WallPatient } from './api.ts';
import { createWardStore } from './ward-store.ts';

/** A frame scheduler the test runs by hand. */
function manualFrames() {
  const tasks = new Set<() => void>();
  return {
    schedule: (task: () => void) => void tasks.add(task),
    frame() {
      const run = [...tasks];
      tasks.clear();
      for (const task of run) task();
    },
  };
}

const now = new Date().toISOString();
const patient = (id: string, name: string): WallPatient => ({
  id,
  displayName: name,
  timezone: 'Asia/Tokyo',
  metrics: { spo2: { value: 97, unit: '%', time: now } },
});
const alert = (over: Partial<Alert>): Alert =>
  ({
    id: 'a1',
    patientId: 'p2',
    rule: 'spo2_low',
    priority: 'high',
    state: 'firing',
    late: false,
    onsetAt: now,
    openedAt: now,
    createdAt: now,
    updatedAt: now,
    repeatCount: 0,
    flapCount: 0,
    escalation: { step: null, round: 0 },
    ...over,
  }) satisfies Alert;

describe('the ward store', () => {
  it('folds a burst of readings into one update per patient per frame, touching no other patient', () => {
    const frames = manualFrames();
    const store = createWardStore(frames, () => 'ja');
    store.reset([patient('p1', 'A'), patient('p2', 'B')], []);
    const updates = { p1: 0, p2: 0 };
    const e1 = store.entries.get('p1')!;
    const e2 = store.entries.get('p2')!;
    const stop = [
      effect(() => void (e1.patient.value && updates.p1++)),
      effect(() => void (e2.patient.value && updates.p2++)),
    ];
    for (let v = 90; v < 100; v++)
      store.addReading({ patientId: 'p1', metric: 'spo2', t: new Date(Date.now() + v).toISOString(), v, unit: '%' });
    expect(e1.patient.value.metrics.spo2?.value).toBe(97); // nothing before the frame
    frames.frame();
    expect(e1.patient.value.metrics.spo2?.value).toBe(99);
    expect(updates).toStrictEqual({ p1: 2, p2: 1 }); // the first run, then one update; p2 untouched
    // A value that changes no state keeps the same status object: the board is not re-sorted.
    const status = e1.status.value;
    store.addReading({
      patientId: 'p1',
      metric: 'spo2',
      t: new Date(Date.now() + 500).toISOString(),
      v: 96,
      unit: '%',
    });
    frames.frame();
    expect(e1.status.value).toBe(status);
    for (const s of stop) s();
  });

  it('moves a patient to the top when an alert opens, and keeps the same order object while nothing moves', () => {
    const store = createWardStore(manualFrames(), () => 'ja');
    store.reset([patient('p1', 'A'), patient('p2', 'B')], []);
    const before = store.order.value;
    expect(before).toStrictEqual(['p1', 'p2']);
    store.now.value = Date.now() + 1000; // the tick: nothing moves
    expect(store.order.value).toBe(before);
    store.applyAlertChange({
      alertId: 'a1',
      patientId: 'p2',
      rule: 'spo2_low',
      priority: 'high',
      state: 'firing',
      transition: 'opened',
      at: now,
    });
    expect(store.order.value).toStrictEqual(['p2', 'p1']);
    store.setAlerts('p2', [alert({ state: 'resolved' })]);
    expect(store.order.value).toStrictEqual(['p1', 'p2']);
  });

  it('says when a reading belongs to a patient it does not have (the page reloads the list)', () => {
    const store = createWardStore(manualFrames(), () => 'en');
    store.reset([patient('p1', 'A')], [alert({ patientId: 'p1', state: 'acknowledged', acknowledgedByName: 'Sato' })]);
    expect(store.entries.get('p1')?.alerts.value[0]?.acknowledgedByName).toBe('Sato');
    expect(store.addReading({ patientId: 'elsewhere', metric: 'spo2', t: now, v: 90, unit: '%' })).toBe(false);
  });
});
