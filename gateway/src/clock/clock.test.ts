import { describe, expect, it } from 'vitest';
import { DeviceClockTracker, judgeDeviceClock } from './device-clock.ts';
import { type ClockSyncedEvent, GatewayClock } from './gateway-clock.ts';

const T = Date.parse('2026-11-24T08:00:00.000Z');
const FLOOR = Date.parse('2026-11-01T00:00:00.000Z');

function fakeClock(o: { wall: number; mono: number; system: boolean | undefined }) {
  const events: ClockSyncedEvent[] = [];
  const clock = new GatewayClock({
    probe: async () => o.system,
    now: () => o.wall,
    monotonic: () => o.mono,
    floor: FLOOR,
    bootId: 'boot1',
  });
  clock.onSync((e) => events.push(e));
  return { clock, events };
}

describe('GatewayClock', () => {
  it('is unsynchronised after boot until the system says NTP synchronised, then reports the offset once', async () => {
    const s = { wall: Date.parse('2026-11-20T10:00:00Z'), mono: 5_000, system: false as boolean | undefined };
    const { clock, events } = fakeClock(s);
    expect(await clock.check()).toBe(false);
    expect(clock.synced()).toBe(false);
    s.mono = 65_000;
    s.wall = T;
    s.system = true;
    expect(await clock.check()).toBe(true);
    expect(await clock.check()).toBe(true);
    expect(events).toEqual([
      {
        bootId: 'boot1',
        offsetMs: T - 65_000,
        stepMs: T - 65_000 - (Date.parse('2026-11-20T10:00:00Z') - 5_000),
        wasUnsynchronised: true,
      },
    ]);
  });

  it('never trusts a wall clock before the floor, even when the system cannot say', async () => {
    const s = { wall: Date.parse('1970-01-01T00:01:00Z'), mono: 60_000, system: undefined as boolean | undefined };
    const { clock } = fakeClock(s);
    expect(await clock.check()).toBe(false);
    s.wall = T;
    expect(await clock.check()).toBe(true);
    s.wall = Date.parse('2000-01-01T00:00:00Z');
    expect(clock.synced()).toBe(false);
  });

  it('stamps wall and monotonic time together', async () => {
    const { clock } = fakeClock({ wall: T, mono: 42, system: true });
    await clock.check();
    expect(clock.stamp()).toEqual({ wall: T, mono: 42, synced: true });
  });
});

describe('judgeDeviceClock', () => {
  it('accepts times at or a little before the arrival (transfer latency, stored records)', () => {
    expect(judgeDeviceClock([T - 3_600_000, T - 1000], T)).toEqual({ kind: 'ok' });
    expect(judgeDeviceClock([T + 30_000], T)).toEqual({ kind: 'ok' });
  });

  it('corrects a clock running a few minutes ahead by the amount it is ahead', () => {
    expect(judgeDeviceClock([T + 5 * 60_000 - 1000, T + 5 * 60_000], T)).toEqual({
      kind: 'drift',
      correctionMs: -5 * 60_000,
    });
  });

  it('rejects a clock far in the future or reset to 2000', () => {
    expect(judgeDeviceClock([T + 11 * 60_000], T)).toEqual({ kind: 'invalid', reason: 'far_future' });
    expect(judgeDeviceClock([Date.parse('2000-01-01T00:00:05Z')], undefined)).toEqual({
      kind: 'invalid',
      reason: 'before_2015',
    });
  });

  it('judges only the reset floor while the gateway clock is unsynchronised', () => {
    expect(judgeDeviceClock([T + 60 * 60_000], undefined)).toEqual({ kind: 'ok' });
  });
});

describe('DeviceClockTracker', () => {
  it('reports a change of a device clock once, not on every frame', () => {
    const t = new DeviceClockTracker();
    expect(t.observe('d', [T], T).change).toBeUndefined();
    expect(t.observe('d', [T + 3 * 60_000], T).change).toEqual({
      device: 'd',
      from: 'ok',
      to: 'drift',
      aheadMs: 180_000,
    });
    expect(t.observe('d', [T + 3 * 60_000], T).change).toBeUndefined();
    expect(t.observe('d', [T], T).change).toMatchObject({ from: 'drift', to: 'ok' });
  });
});
