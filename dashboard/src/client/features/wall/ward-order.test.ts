import { describe, expect, it } from 'vitest';
import { type BoardAlert, type BoardPatient, sameOrder, wardOrder, wardStatus } from './ward-order.ts';

const NOW = Date.parse('2026-12-03T01:00:00Z');
const minutesAgo = (n: number) => new Date(NOW - n * 60_000).toISOString();

function patient(id: string, name: string, spo2MinutesAgo?: number): BoardPatient {
  return {
    id,
    displayName: name,
    metrics: spo2MinutesAgo === undefined ? {} : { spo2: { time: minutesAgo(spo2MinutesAgo) } },
  };
}
function alert(over: Partial<BoardAlert>): BoardAlert {
  return { id: 'a', rule: 'spo2_low', priority: 'high', state: 'firing', openedAt: minutesAgo(1), ...over };
}

describe('the ward board order', () => {
  it('puts unacknowledged high, medium, technical, low, acknowledged, stale, then stable patients', () => {
    const patients = [
      patient('stable', 'A', 1),
      patient('stale', 'B', 60),
      patient('acked', 'C', 1),
      patient('low', 'D', 1),
      patient('tech', 'E', 1),
      patient('medium', 'F', 1),
      patient('high', 'G', 1),
    ];
    const alerts: Record<string, BoardAlert[]> = {
      acked: [alert({ state: 'acknowledged', acknowledgedByName: '佐藤' })],
      low: [alert({ priority: 'low', rule: 'news2' })],
      tech: [alert({ priority: 'medium', rule: 'gateway_offline' })],
      medium: [alert({ priority: 'medium', rule: 'systolic_high' })],
      high: [alert({ priority: 'high' })],
    };
    const order = wardOrder(patients, (p) => wardStatus(p, alerts[p.id] ?? [], NOW), 'ja');
    expect(order).toStrictEqual(['high', 'medium', 'tech', 'low', 'acked', 'stale', 'stable']);
  });

  it('shows the most urgent of several alerts, and the longest-waiting first within a state', () => {
    const older = alert({ id: 'old', openedAt: minutesAgo(30) });
    const newer = alert({ id: 'new', openedAt: minutesAgo(2) });
    const s = wardStatus(patient('p', 'P', 1), [alert({ id: 'm', priority: 'medium' }), newer], NOW);
    expect(s.state).toBe('high');
    expect(s.alert?.id).toBe('new');
    const order = wardOrder(
      [patient('n', 'A', 1), patient('o', 'B', 1)],
      (p) => wardStatus(p, p.id === 'n' ? [newer] : [older], NOW),
      'en',
    );
    expect(order).toStrictEqual(['o', 'n']);
  });

  it('ignores resolved alerts and calls a patient without any value stable, not stale', () => {
    expect(wardStatus(patient('p', 'P', 1), [alert({ state: 'resolved' })], NOW).state).toBe('stable');
    expect(wardStatus(patient('p', 'P'), [], NOW).state).toBe('stable');
  });

  it('tells an unchanged order from a changed one', () => {
    expect(sameOrder(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameOrder(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameOrder(['a'], ['a', 'b'])).toBe(false);
  });
});
