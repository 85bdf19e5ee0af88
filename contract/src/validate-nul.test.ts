/**
 * Issue 11, item 2: PostgreSQL text cannot hold NUL (U+0000), so a string holding one must be
 * refused by validation, naming the field, never reach a commit shared with other gateways.
 */
import { describe, expect, it } from 'vitest';
import { nulField, validateBatch } from './validate.ts';

const good = {
  id: 'gw-tokyo-0001:7f3a9c:000000000123',
  device: { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble', model: 'UA-651BLE' },
  time: '2026-11-24T07:59:58.000Z',
  timeSource: 'device',
  metric: 'bp_systolic',
  value: 132,
  unit: 'mm[Hg]',
  source: { value: 17.6, unit: 'kPa' },
  group: 'gw-tokyo-0001:7f3a9c:000000000120',
  flags: ['irregular_pulse'],
  notes: ['cuff re-seated'],
};
const batch = (readings: unknown[], over: Record<string, unknown> = {}) => ({
  v: 1,
  gatewayId: 'gw-tokyo-0001',
  batchId: 'gw-tokyo-0001:7f3a9c:b:000042',
  sentAt: '2026-11-24T08:00:01.234Z',
  readings,
  ...over,
});

describe('strings holding NUL', () => {
  it.each([
    ['id', { ...good, id: 'gw-tokyo-0001:7f3a9c:\u0000' }],
    ['metric', { ...good, metric: 'bp_\u0000systolic' }],
    ['unit', { ...good, unit: 'mm[Hg]\u0000' }],
    ['group', { ...good, group: 'gw-tokyo-0001:\u0000' }],
    ['flags[0]', { ...good, flags: ['\u0000'] }],
    ['notes[0]', { ...good, notes: ['a\u0000b'] }],
    ['device.model', { ...good, device: { ...good.device, model: 'UA\u0000' } }],
    ['device.id', { ...good, device: { ...good.device, id: 'ble:c4\u0000' } }],
    ['source.unit', { ...good, source: { value: 17.6, unit: 'k\u0000Pa' } }],
    ['timeSource', { ...good, timeSource: 'device\u0000' }],
    ['(a key)', { ...good, 'x\u0000': 1 }],
  ])('refuses a reading whose %s holds a NUL, naming the field and keeping the rest', (field, reading) => {
    const v = validateBatch(batch([good, reading]));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.readings).toHaveLength(1);
    expect(v.rejected).toHaveLength(1);
    expect(v.rejected[0]!.reason).toBe(
      `readings[1]: ${field} contains a NUL character (U+0000), which no text field may hold`,
    );
    expect(v.rejected[0]!.reason).not.toContain('\u0000');
  });

  it('refuses a batch whose batchId holds a NUL', () => {
    expect(validateBatch(batch([good], { batchId: 'gw-tokyo-0001:b\u0000' }))).toEqual({
      ok: false,
      error: 'batch.batchId contains a NUL character (U+0000), which no text field may hold',
    });
  });

  it('finds the path of the first NUL in nested values and keys', () => {
    expect(nulField({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toBe('a[1].c');
    expect(nulField({ detail: { 'k\u0000': 1 } })).toBe('detail.(a key)');
    expect(nulField('\u0000')).toBe('(value)');
    expect(nulField({ a: 'ok', b: [1, null, true] })).toBeNull();
  });
});
