/**
 * The ward board's state as signals, one pair per patient (latest values, open alerts), so a
 * reading re-renders only its patient's card; the order is a computed list of ids that keeps its
 * identity while nothing moves. Live readings are folded in at most once per animation frame.
 */
import { batch, computed, type ReadonlySignal, type Signal, signal } from '@preact/signals';
import type { FrameScheduler } from '../../frame-scheduler.ts';
import type { LiveAlertChange, LiveReading } from '../../stream.ts';
import type { Alert } from '../alerts/api.ts';
import type { WallPatient } from './api.ts';
import { type BoardAlert, sameOrder, type WardStatus, wardOrder, wardStatus } from './ward-order.ts';

export interface WardEntry {
  id: string;
  patient: Signal<WallPatient>;
  alerts: Signal<BoardAlert[]>;
  /**
   * The patient's ward state, the same object while the state, its alert and its start stay the
   * same: a reading that changes no state does not re-sort the board (500 patients, 1,000 readings/s).
   */
  status: ReadonlySignal<WardStatus>;
}

export interface WardStore {
  readonly entries: ReadonlyMap<string, WardEntry>;
  /** Patient ids in board order. */
  readonly order: ReadonlySignal<string[]>;
  /** The board's clock, moved on by the page's tick (ages, staleness). */
  readonly now: Signal<number>;
  /** Replaces everything (first load, and after a reconnection). */
  reset(patients: WallPatient[], alerts: Alert[]): void;
  /** False when the patient is not on the board (the page reloads the list). */
  addReading(r: LiveReading): boolean;
  /** An alert change from the stream: applied at once, before any reload of details. */
  applyAlertChange(c: LiveAlertChange): void;
  /** The open alerts of one patient, as the API lists them now. */
  setAlerts(patientId: string, alerts: Alert[]): void;
}

function boardAlert(a: Alert): BoardAlert {
  return {
    id: a.id,
    rule: a.rule,
    priority: a.priority,
    state: a.state,
    openedAt: a.openedAt,
    ...(a.acknowledgedAt ? { acknowledgedAt: a.acknowledgedAt } : {}),
    ...(a.acknowledgedByName ? { acknowledgedByName: a.acknowledgedByName } : {}),
  };
}

const isPriority = (p: string): p is BoardAlert['priority'] => p === 'high' || p === 'medium' || p === 'low';
const isState = (s: string): s is BoardAlert['state'] => s === 'firing' || s === 'acknowledged' || s === 'resolved';

export function createWardStore(scheduler: FrameScheduler, locale: () => string): WardStore {
  const entries = new Map<string, WardEntry>();
  const ids = signal<string[]>([]);
  const now = signal(Date.now());
  const pending = new Map<string, LiveReading[]>();

  const entry = (p: WallPatient): WardEntry => {
    const patient = signal(p);
    const alerts = signal<BoardAlert[]>([]);
    let last: WardStatus | null = null;
    const status = computed(() => {
      const next = wardStatus(patient.value, alerts.value, now.value);
      if (
        last &&
        last.state === next.state &&
        last.sinceMs === next.sinceMs &&
        last.alert?.id === next.alert?.id &&
        last.alert?.state === next.alert?.state &&
        last.alert?.acknowledgedByName === next.alert?.acknowledgedByName
      )
        return last;
      last = next;
      return next;
    });
    return { id: p.id, patient, alerts, status };
  };

  let previous: string[] = [];
  const order = computed(() => {
    // Reads each patient's status and name, never their values: readings do not re-sort.
    const list = ids.value.flatMap((id) => {
      const e = entries.get(id);
      return e ? [{ id, displayName: e.patient.peek().displayName, status: e.status.value }] : [];
    });
    const byId = new Map(list.map((x) => [x.id, x.status]));
    const next = wardOrder(
      list.map(({ id, displayName }) => ({ id, displayName, metrics: {} })),
      (p) => byId.get(p.id) ?? { state: 'stable' },
      locale(),
    );
    if (sameOrder(next, previous)) return previous;
    previous = next;
    return next;
  });

  const flush = (): void => {
    batch(() => {
      for (const [id, readings] of pending) {
        const e = entries.get(id);
        if (!e) continue;
        const metrics = { ...e.patient.value.metrics };
        for (const r of readings) {
          const before = metrics[r.metric];
          if (before && Date.parse(before.time) > Date.parse(r.t)) continue; // a late replay, not the latest
          metrics[r.metric] = { value: r.v, unit: r.unit || before?.unit || '', time: r.t };
        }
        e.patient.value = { ...e.patient.value, metrics };
      }
    });
    pending.clear();
  };

  return {
    entries,
    order,
    now,
    reset(patients, alerts) {
      const byPatient = new Map<string, BoardAlert[]>();
      for (const a of alerts) {
        if (a.state === 'resolved') continue;
        const list = byPatient.get(a.patientId) ?? [];
        list.push(boardAlert(a));
        byPatient.set(a.patientId, list);
      }
      batch(() => {
        const listed = new Set(patients.map((p) => p.id));
        for (const id of [...entries.keys()]) if (!listed.has(id)) entries.delete(id);
        for (const p of patients) {
          const e = entries.get(p.id) ?? entry(p);
          entries.set(p.id, e);
          e.patient.value = p;
          e.alerts.value = byPatient.get(p.id) ?? [];
        }
        ids.value = patients.map((p) => p.id);
        now.value = Date.now();
      });
    },
    addReading(r) {
      if (!entries.has(r.patientId)) return false;
      const list = pending.get(r.patientId) ?? [];
      list.push(r);
      pending.set(r.patientId, list);
      scheduler.schedule(flush);
      return true;
    },
    applyAlertChange(c) {
      const e = entries.get(c.patientId);
      if (!e || !isPriority(c.priority) || !isState(c.state)) return;
      const others = e.alerts.value.filter((a) => a.id !== c.alertId);
      const before = e.alerts.value.find((a) => a.id === c.alertId);
      e.alerts.value =
        c.state === 'resolved'
          ? others
          : [
              ...others,
              {
                ...before,
                id: c.alertId,
                rule: c.rule,
                priority: c.priority,
                state: c.state,
                openedAt: before?.openedAt ?? c.at,
                ...(c.state === 'acknowledged' && !before?.acknowledgedAt ? { acknowledgedAt: c.at } : {}),
              },
            ];
    },
    setAlerts(patientId, alerts) {
      const e = entries.get(patientId);
      if (e) e.alerts.value = alerts.filter((a) => a.state !== 'resolved').map(boardAlert);
    },
  };
}
