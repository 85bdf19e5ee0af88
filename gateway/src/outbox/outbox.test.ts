import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';

function reading(id: string, value = 95): Reading {
  return {
    id,
    device: { id: 'ble:00:11:22:33:44:55', transport: 'ble' },
    time: '2026-11-24T00:00:00.000Z',
    timeSource: 'device',
    metric: 'spo2',
    value,
    unit: '%',
  };
}

describe('Outbox', () => {
  it('keeps a reading id once when it is appended twice', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    expect(o.append([reading('a'), reading('b')]).added).toBe(2);
    expect(o.append([reading('a')]).added).toBe(0);
    expect(o.size()).toBe(2);
  });

  it('re-offers an unacknowledged batch with the same id and readings, and forgets it after the ack', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    o.append([reading('a'), reading('b'), reading('c')]);
    const b1 = o.takeBatch(2)!;
    expect(b1.readings.map((r) => r.id)).toEqual(['a', 'b']);
    const b2 = o.takeBatch(2)!;
    expect(b2.readings.map((r) => r.id)).toEqual(['c']);
    expect(o.takeBatch(2)).toBeNull();
    expect(o.openBatches().map((b) => b.batchId)).toEqual([b1.batchId, b2.batchId]);
    expect(o.ack(b1.batchId)).toBe(2);
    expect(o.openBatches()).toEqual([b2]);
    expect(o.size()).toBe(1);
  });

  it('survives closing and reopening the file with batches and counters intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const path = join(dir, 'outbox.sqlite');
    const o1 = new Outbox({ path, gatewayId: 'gw-test' });
    o1.append([reading('a'), reading('b')]);
    const b = o1.takeBatch(10)!;
    const ids1 = o1.newReadingIds(2);
    o1.close();
    const o2 = new Outbox({ path, gatewayId: 'gw-test' });
    expect(o2.openBatches()).toEqual([b]);
    const ids2 = o2.newReadingIds(1);
    expect(ids2[0]).not.toBe(ids1[0]);
    expect(ids2[0]).not.toBe(ids1[1]);
    expect(o2.instance).toBe(o1.instance);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    o2.close();
    o2.close();
  });

  it('drops the oldest queued readings when it reaches its bound, keeping the newest', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test', maxReadings: 3 });
    o.append([reading('a'), reading('b'), reading('c')]);
    expect(o.append([reading('d'), reading('e')])).toEqual({ added: 2, dropped: 2 });
    expect(o.takeBatch(10)!.readings.map((r) => r.id)).toEqual(['c', 'd', 'e']);
  });

  it('cuts a batch before it exceeds the byte bound', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    o.append(Array.from({ length: 50 }, (_, i) => reading(`r${i}`)));
    const b = o.takeBatch(1000, 2000)!;
    expect(b.readings.length).toBeGreaterThan(1);
    expect(JSON.stringify(b.readings).length).toBeLessThanOrEqual(2000 + b.readings.length);
    expect(o.queued()).toBe(50 - b.readings.length);
  });

  it('makes reading ids in the contract form gateway:instance:counter', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-tokyo-0001' });
    expect(o.newReadingIds(2)).toEqual([
      `gw-tokyo-0001:${o.instance}:000000000001`,
      `gw-tokyo-0001:${o.instance}:000000000002`,
    ]);
  });
});

describe('Outbox clock holds', () => {
  const unsynced = (id: string, time: string, device = 'ble:00:11:22:33:44:55'): Reading => ({
    ...reading(id),
    device: { id: device, transport: 'ble' },
    time,
    timeSource: 'gateway',
    flags: ['gateway_clock_unsynchronised'],
  });

  it('holds readings stamped by an unsynchronised clock and re-stamps them from the monotonic clock', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    o.append([unsynced('a', '2026-01-01T00:00:00.000Z')], { bootId: 'boot1', monoMs: 10_000 });
    expect(o.held()).toBe(1);
    expect(o.takeBatch(10)).toBeNull();
    const offset = Date.parse('2026-11-24T08:00:00.000Z') - 20_000;
    const fixed = o.restamp('boot1', offset);
    expect(fixed[0]).toMatchObject({ time: '2026-11-24T07:59:50.000Z', flags: ['gateway_time_corrected'] });
    expect(fixed[0]!.notes![0]).toContain('2026-01-01T00:00:00.000Z');
    expect(o.held()).toBe(0);
    expect(o.takeBatch(10)!.readings).toEqual(fixed);
  });

  it('keeps a device in order: its later readings wait behind its held ones, other devices do not', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    o.append([unsynced('a', '2026-01-01T00:00:00.000Z')], { bootId: 'boot1', monoMs: 1 });
    o.append([reading('b')]);
    o.append([{ ...reading('c'), device: { id: 'ble:99:11:22:33:44:55', transport: 'ble' } }]);
    expect(o.takeBatch(10)!.readings.map((r) => r.id)).toEqual(['c']);
    o.restamp('boot1', 0);
    expect(o.takeBatch(10)!.readings.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('releases readings held in another boot unchanged, still flagged', () => {
    const o = new Outbox({ path: ':memory:', gatewayId: 'gw-test' });
    o.append([unsynced('a', '2026-01-01T00:00:00.000Z')], { bootId: 'old-boot', monoMs: 1 });
    expect(o.restamp('new-boot', 0)).toEqual([]);
    expect(o.release('new-boot')).toBe(1);
    expect(o.takeBatch(10)!.readings[0]!.flags).toEqual(['gateway_clock_unsynchronised']);
  });
});

describe('Outbox on a full disk', () => {
  it('drops the oldest queued readings and keeps storing when the file reaches its byte bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const o = new Outbox({ path: join(dir, 'o.sqlite'), gatewayId: 'gw-test', maxBytes: 64 * 1024 });
    let dropped = 0;
    for (let i = 0; i < 400; i++) {
      const r = o.append(Array.from({ length: 5 }, (_, k) => reading(`r${i}-${k}`)));
      expect(r.failed).toBeUndefined();
      expect(r.added).toBe(5);
      dropped += r.dropped;
    }
    expect(dropped).toBeGreaterThan(0);
    expect(o.size()).toBe(2000 - dropped);
    const first = o.takeBatch(1)!.readings[0]!.id;
    expect(first).not.toBe('r0-0');
    expect(o.newReadingIds(1)).toHaveLength(1);
    o.close();
  });

  it('reports a failure instead of throwing when nothing can be freed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const o = new Outbox({ path: join(dir, 'o.sqlite'), gatewayId: 'gw-test' });
    o.setMaxBytes(1);
    const big = Array.from({ length: 200 }, (_, k) => reading(`big-${k}`));
    const r = o.append(big);
    expect(r.added).toBe(0);
    expect(r.failed).toMatch(/full/i);
    o.close();
  });
});
