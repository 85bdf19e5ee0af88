import { describe, expect, it } from 'vitest';
import { isIsoTime, validateBatch, validateBatchPayload } from './validate.ts';

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
};
const batch = (readings: unknown[], over: Record<string, unknown> = {}) => ({
  v: 1,
  gatewayId: 'gw-tokyo-0001',
  batchId: 'gw-tokyo-0001:7f3a9c:b:000042',
  sentAt: '2026-11-24T08:00:01.234Z',
  readings,
  ...over,
});

describe('validateBatch', () => {
  it('accepts the example batch of the contract', () => {
    const v = validateBatch(batch([good]));
    expect(v).toStrictEqual({
      ok: true,
      batch: {
        v: 1,
        gatewayId: 'gw-tokyo-0001',
        batchId: 'gw-tokyo-0001:7f3a9c:b:000042',
        sentAt: '2026-11-24T08:00:01.234Z',
      },
      readings: [good],
      rejected: [],
    });
  });

  it.each([
    [{ metric: 'heart_mood' }, 'unknown metric "heart_mood"'],
    [{ unit: 'mmHg' }, 'unit of bp_systolic must be "mm[Hg]", got "mmHg"'],
    [{ value: Number.NaN }, 'value must be a finite number or left out, got number NaN'],
    [{ value: '132' }, 'value must be a finite number or left out, got "132"'],
    [{ time: '2026-02-30T00:00:00.000Z' }, 'time must be an ISO 8601 time with zone, got "2026-02-30T00:00:00.000Z"'],
    [{ time: '2026-11-24 07:59:58' }, 'time must be an ISO 8601 time with zone, got "2026-11-24 07:59:58"'],
    [{ timeSource: 'guess' }, 'timeSource must be "device" or "gateway", got "guess"'],
    [
      { device: { id: 'ble:C4:7C:8D:6A:3F:21', transport: 'ble' } },
      'device.id must be "ble:" and a lower-case address like ble:c4:7c:8d:6a:3f:21, got "ble:C4:7C:8D:6A:3F:21"',
    ],
    [{ device: { id: 'x', transport: 'usb' } }, 'device.transport must be "ble" or "serial", got "usb"'],
    [{ id: '' }, 'id must be a non-empty string, got ""'],
    [{ value: undefined, flags: undefined }, 'value is missing and no flag says why'],
    [{ flags: 'irregular_pulse' }, 'flags must be an array of at most 50 strings, got "irregular_pulse"'],
  ])('rejects only the reading with %j, saying %s', (patch, reason) => {
    const bad = { ...good, id: 'bad-1', ...patch };
    const v = validateBatch(batch([good, bad]));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.readings).toEqual([good]);
    expect(v.rejected).toEqual([
      {
        id: 'id' in patch && patch.id === '' ? 'gw-tokyo-0001:7f3a9c:b:000042#1' : 'bad-1',
        reason: `readings[1]: ${reason}`,
        raw: bad,
      },
    ]);
  });

  it('accepts a reading without value when a flag says why', () => {
    const special = { ...good, value: undefined, flags: ['value_nan'] };
    const v = validateBatch(batch([special]));
    expect(v.ok && v.readings.length).toBe(1);
  });

  it.each([
    [batch([good], { v: 2 }), 'batch.v must be 1, got number 2'],
    [batch([good], { gatewayId: 'GW' }), 'batch.gatewayId must match [a-z0-9][a-z0-9-]{2,62}, got "GW"'],
    [batch([]), 'batch.readings holds 0, must hold 1 to 1000'],
    [batch(Array(1001).fill(good)), 'batch.readings holds 1001, must hold 1 to 1000'],
    [batch([good], { readings: {} }), 'batch.readings must be an array, got an object'],
    [[1, 2], 'batch must be a JSON object, got an array'],
  ])('rejects a whole batch that breaks the contract (%#): %s', (b, error) => {
    expect(validateBatch(b)).toEqual({ ok: false, error });
  });

  it('rejects a payload over 256 KiB and one that is not JSON', () => {
    expect(validateBatchPayload('x'.repeat(256 * 1024 + 1))).toEqual({
      ok: false,
      error: 'batch is 262145 bytes, at most 262144 allowed',
    });
    const v = validateBatchPayload('{"v":1,');
    expect(v.ok).toBe(false);
    expect(!v.ok && v.error).toMatch(/^batch is not valid JSON: /);
  });

  it('never throws on random JSON values', () => {
    const samples: unknown[] = [
      null,
      0,
      'x',
      [],
      {},
      { readings: [null, 1, 'a', [], {}] },
      batch([null, [], 7, { id: {} }]),
    ];
    for (const s of samples) expect(() => validateBatch(s)).not.toThrow();
  });
});

describe('reading and batch ids are namespaced by gateway (issue 11 item 5)', () => {
  const record = 'ble:c4:7c:8d:6a:3f:21:r:AbCdEfGhIjKlMnOpQrStUv';

  it.each([
    ['gw-tokyo-0001:7f3a9c:000000000124', true],
    [record, true],
    ['gw-osaka-0002:7f3a9c:000000000124', false],
    ['gw-tokyo-0001-x:1', false],
    ['ble:aa:bb:cc:dd:ee:ff:r:AbCdEfGhIjKlMnOpQrStUv', false],
    ['ble:c4:7c:8d:6a:3f:21:r:short', false],
    ['serial:x:r:AbCdEfGhIjKlMnOpQrStUv', false],
  ])('accepts only its own gateway prefix or its own device record: %s', (id, ok) => {
    const v = validateBatch(batch([{ ...good, id }]));
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.readings.length).toBe(ok ? 1 : 0);
    if (!ok)
      expect(v.rejected[0]!.reason).toMatch(
        /^readings\[0\]: id ".*" (must begin with "gw-tokyo-0001:"|is a device record id of another device)/,
      );
  });

  it('tells a serial device record from that of a device whose id extends it', () => {
    const own = { ...good, device: { id: 'serial:usb-1:r', transport: 'serial' } };
    const other = { ...good, device: { id: 'serial:usb-1', transport: 'serial' } };
    const id = 'serial:usb-1:r:AbCdEfGhIjKlMnOpQrStUv';
    const v = validateBatch(
      batch([
        { ...own, id },
        { ...other, id },
      ]),
    );
    expect(v.ok && v.readings.map((r) => r.device.id)).toEqual(['serial:usb-1']);
  });

  it("rejects a whole batch whose batchId is not the gateway's", () => {
    expect(validateBatch(batch([good], { batchId: 'gw-osaka-0002:b:1' }))).toEqual({
      ok: false,
      error: 'batch.batchId "gw-osaka-0002:b:1" must begin with "gw-tokyo-0001:" (the publishing gateway\'s id)',
    });
  });
});

describe('the plausible time window (issue 11 item 6)', () => {
  const now = Date.parse('2026-11-24T08:00:00.000Z');
  const timeWindow = { now, maxAheadMs: 600_000, earliest: Date.parse('2015-01-01T00:00:00Z') };
  const at = (time: string) => ({ ...good, time });

  it('rejects times beyond the skew ahead and before the floor, and accepts those within', () => {
    const v = validateBatch(
      batch([
        at('2100-01-01T00:00:00.000Z'),
        at('1970-01-01T00:00:00.000Z'),
        at('2026-11-24T08:05:00.000Z'),
        at('2026-11-24T17:09:59+09:00'),
        at('2015-01-01T00:00:00.000Z'),
      ]),
      { timeWindow },
    );
    expect(v.ok && v.readings.map((r) => r.time)).toEqual([
      '2026-11-24T08:05:00.000Z',
      '2026-11-24T17:09:59+09:00',
      '2015-01-01T00:00:00.000Z',
    ]);
    expect(v.ok && v.rejected.map((r) => r.reason)).toEqual([
      "readings[0]: time 2100-01-01T00:00:00.000Z is more than 600 s ahead of the server's clock (2026-11-24T08:00:00.000Z); the device's or the gateway's clock is wrong",
      "readings[1]: time 1970-01-01T00:00:00.000Z is before 2015-01-01T00:00:00.000Z, the earliest plausible measurement time; the device's or the gateway's clock was reset",
    ]);
  });

  it("refuses a reading older than its metric's raw retention, naming the start of what is kept", () => {
    const kept = Date.parse('2026-09-01T00:00:00.000Z');
    const v = validateBatch(
      batch([
        at('2026-08-31T23:59:59.000Z'),
        {
          ...at('2026-08-31T23:59:59.000Z'),
          id: 'gw-tokyo-0001:7f3a9c:000000000124',
          metric: 'spo2',
          unit: '%',
          value: 97,
          source: undefined,
          flags: undefined,
          group: undefined,
        },
        at('2026-09-01T00:00:00.000Z'),
      ]),
      { timeWindow: { ...timeWindow, keptSince: (m) => (m === 'bp_systolic' ? kept : null) } },
    );
    expect(v.ok && v.readings.map((r) => `${r.metric} ${r.time}`)).toEqual([
      'spo2 2026-08-31T23:59:59.000Z',
      'bp_systolic 2026-09-01T00:00:00.000Z',
    ]);
    expect(v.ok && v.rejected.map((r) => r.reason)).toEqual([
      'readings[0]: time 2026-08-31T23:59:59.000Z is before 2026-09-01T00:00:00.000Z, the start of the raw bp_systolic readings this server keeps (its retention); the reading would be deleted at once, so it is not stored (the rollups before that are kept)',
    ]);
  });

  it('applies no window when none is given', () => {
    const v = validateBatch(batch([at('2100-01-01T00:00:00.000Z')]));
    expect(v.ok && v.readings.length).toBe(1);
  });
});

describe('isIsoTime', () => {
  it('accepts times with zone and rejects impossible calendar fields', () => {
    expect(isIsoTime('2026-11-24T07:59:58.000Z')).toBe(true);
    expect(isIsoTime('2026-11-24T16:59:58+09:00')).toBe(true);
    expect(isIsoTime('2024-02-29T00:00:00Z')).toBe(true);
    expect(isIsoTime('2026-02-29T00:00:00Z')).toBe(false);
    expect(isIsoTime('2026-13-01T00:00:00Z')).toBe(false);
    expect(isIsoTime('2026-11-24T24:00:00Z')).toBe(false);
  });
});
