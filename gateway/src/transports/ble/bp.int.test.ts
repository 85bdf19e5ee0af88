/** Real noble (with-bindings) over the simulated A&D-style monitor: frames and events, byte-exact. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, hexOf } from '../../../test-support/ble-sim-harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const ADDRESS = 'C4:7C:8D:6A:3F:21';
const DEVICE_ID = 'ble:c4:7c:8d:6a:3f:21';
const at = (hours: number) => ({ year: 2026, month: 11, day: 24, hours, minutes: 0, seconds: 0 });

describe('BLE transport with a blood pressure monitor', () => {
  it('downloads three stored measurements as three 2A35 frames while the monitor advertises for 5 s', async () => {
    h = createHarness({ tz: 'Asia/Tokyo' });
    const bp = h.world.addDevice({
      kind: 'bp-monitor',
      address: ADDRESS,
      advertisingWindowMs: 5000,
      hangUpAfterTransferMs: 20,
    });
    const stored = [
      bp.measure({ systolic: 132, diastolic: 84, pulseRate: 72, time: at(7) }),
      bp.measure({ systolic: 128, diastolic: 80, pulseRate: 70, time: at(12) }),
      bp.measure({ systolic: 141, diastolic: 90, pulseRate: 77, time: at(19), status: { irregularPulse: true } }),
    ];
    h.start();
    await h.waitFor(
      '3 frames and a let-go',
      () => h.frames.length === 3 && h.eventsOf('device_disconnected').length === 1,
    );

    expect(h.frames.map((f) => [f.characteristic, hexOf(f.bytes)])).toStrictEqual(
      stored.map((b) => ['2A35', hexOf(b)]),
    );
    expect(hexOf(h.frames[0]!.bytes)).toBe('06' + '8400' + '5400' + '6400' + 'ea070b18070000' + '4800');
    expect(h.frames[0]!.device).toStrictEqual({ id: DEVICE_ID, transport: 'ble', model: 'UA-651BLE' });
    expect(h.frames[0]!.context).toStrictEqual({});
    expect(h.eventsOf('device_connected')[0]).toMatchObject({
      device: DEVICE_ID,
      detail: { model: 'UA-651BLE', services: ['1810'], continuous: false },
    });
    expect(h.eventsOf('device_disconnected')[0]!.detail).toStrictEqual({ initiatedBy: 'device', frames: 3 });
    expect(bp.storedRecords).toBe(0);
    expect(bp.advertising).toBe(false);
  });

  it('connects again when a new measurement opens a new advertising window', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS, advertisingWindowMs: 5000 });
    h.start();
    const first = bp.measure({ systolic: 120, diastolic: 80, time: at(7) });
    await h.waitFor('first frame', () => h.frames.length === 1 && h.eventsOf('device_disconnected').length === 1);
    const second = bp.measure({ systolic: 125, diastolic: 82, time: at(19) });
    await h.waitFor('second frame', () => h.frames.length === 2);
    expect(h.frames.map((f) => hexOf(f.bytes))).toStrictEqual([hexOf(first), hexOf(second)]);
    expect(bp.connections).toBe(2);
  });

  it('catches a monitor whose advertising window is short', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS, advertisingWindowMs: 60 });
    const bytes = bp.measure({ systolic: 118, diastolic: 76 });
    h.start();
    await h.waitFor('the frame', () => h.frames.length === 1);
    expect(hexOf(h.frames[0]!.bytes)).toBe(hexOf(bytes));
  });

  it('sets a clock that reset to 2000-01-01 and reports clock_adjusted before the stored frames', async () => {
    h = createHarness({ tz: 'Asia/Tokyo' });
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS });
    bp.resetClock();
    const wrong = bp.measure({ systolic: 130, diastolic: 85 });
    h.start();
    await h.waitFor('the let-go', () => h.frames.length === 1 && h.eventsOf('device_disconnected').length === 1);

    const adjusted = h.eventsOf('clock_adjusted');
    expect(adjusted).toHaveLength(1);
    const detail = adjusted[0]!.detail as { deviceTime: string; gatewayTime: string; offsetMs: number };
    expect(detail.deviceTime.startsWith('1999-12-31T15:00')).toBe(true);
    expect(detail.offsetMs).toBeLessThan(-20 * 365 * 24 * 3600 * 1000);
    expect(h.events.indexOf(adjusted[0]!)).toBeLessThan(h.events.findIndex((e) => e.type === 'device_disconnected'));
    expect(bp.writes.map((w) => w.characteristic)).toStrictEqual(['2a2b']);
    expect(Math.abs(bp.clockOffsetMs)).toBeLessThan(2000);
    // The stored record keeps the time stamp the wrong clock gave it; the pipeline judges it.
    expect(hexOf(h.frames[0]!.bytes)).toBe(hexOf(wrong));
    expect(hexOf(wrong).slice(14, 28)).toBe('d0070101000000');
  });

  it('leaves a wrong device clock alone while the gateway clock is not synchronised', async () => {
    h = createHarness({ tz: 'Asia/Tokyo' });
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS });
    bp.resetClock();
    bp.measure({ systolic: 130, diastolic: 85 });
    h.start({ gatewayClockSynced: () => false });
    await h.waitFor('the session to end', () => h.eventsOf('device_disconnected').length === 1);
    expect(h.frames).toHaveLength(1);
    expect(h.eventsOf('clock_adjusted')).toHaveLength(0);
    expect(bp.writes).toHaveLength(0);
  });

  it('leaves a clock alone when it is within the tolerance', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS, clockOffsetMs: 20_000 });
    bp.measure({ systolic: 130, diastolic: 85 });
    h.start({ clockToleranceMs: 60_000 });
    await h.waitFor('the session to end', () => h.eventsOf('device_disconnected').length === 1);
    expect(h.eventsOf('clock_adjusted')).toHaveLength(0);
    expect(bp.writes).toHaveLength(0);
  });

  it('delivers every record when the link drops in the middle of the transfer', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS });
    const stored = [110, 120, 130, 140].map((s, i) => bp.measure({ systolic: s, diastolic: 70, time: at(6 + i) }));
    bp.injectFault({ kind: 'disconnect-mid-transfer', afterRecords: 2 });
    h.start();
    await h.waitFor('all records', () => stored.every((b) => h.frames.some((f) => hexOf(f.bytes) === hexOf(b))));
    await h.waitFor('the final let-go', () => bp.storedRecords === 0 && !bp.connected);

    const seen = h.frames.map((f) => hexOf(f.bytes));
    // The second record was on the air when the link dropped: it comes again (same bytes, same reading later).
    expect(seen).toStrictEqual([stored[0], stored[1], stored[1], stored[2], stored[3]].map((b) => hexOf(b!)));
    expect(bp.connections).toBe(2);
  });

  it('reports the battery level and flags it low', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS, battery: 12 });
    bp.measure({ systolic: 130, diastolic: 85 });
    h.start({ lowBatteryPercent: 20 });
    await h.waitFor('battery event', () => h.eventsOf('battery').length === 1);
    expect(h.eventsOf('battery')[0]).toMatchObject({ device: DEVICE_ID, detail: { level: 12, low: true } });
  });

  it('hands a malformed packet to the pipeline as a frame and goes on with the next record', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS });
    const good = [bp.measure({ systolic: 120, diastolic: 80, pulseRate: 60, time: at(7) })];
    good.push(bp.measure({ systolic: 122, diastolic: 81, time: at(8) }));
    bp.injectFault({ kind: 'malformed-next' });
    h.start();
    await h.waitFor('both frames', () => h.frames.length === 2 && h.eventsOf('device_disconnected').length === 1);
    // Flags 0x06 promise a time stamp and a pulse rate; only four bytes arrive.
    expect(h.frames.map((f) => hexOf(f.bytes))).toStrictEqual([hexOf(good[0]!).slice(0, 8), hexOf(good[1]!)]);
    expect(h.eventsOf('device_error')).toHaveLength(0);
  });

  it('never connects to a device the allow-list refuses', async () => {
    h = createHarness();
    const stranger = h.world.addDevice({ kind: 'bp-monitor', address: '11:22:33:44:55:66' });
    const ours = h.world.addDevice({ kind: 'bp-monitor', address: ADDRESS });
    stranger.measure({ systolic: 150, diastolic: 95 });
    ours.measure({ systolic: 120, diastolic: 80 });
    const asked = new Set<string>();
    h.start({
      allow: (id) => {
        asked.add(id);
        return id === DEVICE_ID;
      },
    });
    await h.waitFor('our frame', () => h.frames.length === 1 && asked.has('ble:11:22:33:44:55:66'));
    await new Promise((r) => setTimeout(r, 100));
    expect(stranger.connections).toBe(0);
    expect(stranger.storedRecords).toBe(1);
    expect(h.frames.every((f) => f.device.id === DEVICE_ID)).toBe(true);
    expect(h.events.some((e) => e.device === 'ble:11:22:33:44:55:66')).toBe(false);
  });
});
