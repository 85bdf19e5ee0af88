/**
 * The ward board's order (issue 16): what needs a person now comes first. Unacknowledged high
 * alerts, then unacknowledged medium ones, then technical problems (gateway offline, battery low,
 * a device silent, a missed scheduled measurement), then low-priority alerts, then alerts someone
 * has acknowledged, then patients whose values are old, then the stable ones. Within a state the
 * longest-waiting first, then by name. Pure: no DOM, no clock (the caller passes `nowMs`).
 */
import type { Metric } from '@vitals/contract';
import { isStale } from '../../staleness.ts';

/** Rules about the equipment, not the patient's condition (server/src/alerts/checks.ts). */
export const TECHNICAL_RULES: ReadonlySet<string> = new Set([
  'gateway_offline',
  'battery_low',
  'device_silent',
  'missed_measurement',
]);

export const WARD_STATES = ['high', 'medium', 'technical', 'low', 'acknowledged', 'stale', 'stable'] as const;
export type WardState = (typeof WARD_STATES)[number];

/** The part of an open alert the board needs. */
export interface BoardAlert {
  id: string;
  rule: string;
  priority: 'high' | 'medium' | 'low';
  state: 'firing' | 'acknowledged' | 'resolved';
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedByName?: string | null;
}

export interface BoardPatient {
  id: string;
  displayName: string;
  /** Latest value times by metric (ISO 8601). */
  metrics: Partial<Record<Metric, { time: string }>>;
}

export interface WardStatus {
  state: WardState;
  /** The alert behind the state (the most urgent one), if an alert is. */
  alert?: BoardAlert;
  /** When the state began (the alert's opening), for "waiting 12 min" and the order within a state. */
  sinceMs?: number;
}

function alertState(a: BoardAlert): WardState {
  if (a.state === 'acknowledged') return 'acknowledged';
  if (TECHNICAL_RULES.has(a.rule)) return 'technical';
  return a.priority;
}

const RANK: Record<WardState, number> = Object.fromEntries(WARD_STATES.map((s, i) => [s, i])) as Record<
  WardState,
  number
>;

/** True when the patient has values and every one of them is old. */
function allStale(p: BoardPatient, nowMs: number): boolean {
  const entries = Object.entries(p.metrics) as [Metric, { time: string }][];
  if (entries.length === 0) return false;
  return entries.every(([metric, v]) => isStale(metric, Date.parse(v.time), nowMs));
}

export function wardStatus(p: BoardPatient, alerts: readonly BoardAlert[], nowMs: number): WardStatus {
  let best: WardStatus | null = null;
  for (const a of alerts) {
    if (a.state === 'resolved') continue;
    const state = alertState(a);
    const sinceMs = Date.parse(a.openedAt);
    if (!best || RANK[state] < RANK[best.state] || (state === best.state && sinceMs < (best.sinceMs ?? Infinity)))
      best = { state, alert: a, sinceMs };
  }
  if (best) return best;
  return { state: allStale(p, nowMs) ? 'stale' : 'stable' };
}

const collators = new Map<string, Intl.Collator>();
function collatorFor(locale: string): Intl.Collator {
  let c = collators.get(locale);
  if (!c) {
    c = new Intl.Collator(locale);
    collators.set(locale, c);
  }
  return c;
}

/** Patient ids in board order. */
export function wardOrder(
  patients: readonly BoardPatient[],
  statusOf: (p: BoardPatient) => WardStatus,
  locale: string,
): string[] {
  const collator = collatorFor(locale);
  return patients
    .map((p) => ({ p, s: statusOf(p) }))
    .sort(
      (a, b) =>
        RANK[a.s.state] - RANK[b.s.state] ||
        (a.s.sinceMs ?? Infinity) - (b.s.sinceMs ?? Infinity) ||
        collator.compare(a.p.displayName, b.p.displayName) ||
        (a.p.id < b.p.id ? -1 : 1),
    )
    .map(({ p }) => p.id);
}

/** The same order, as the same array when nothing moved (so a list keyed on it does not re-render). */
export function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
