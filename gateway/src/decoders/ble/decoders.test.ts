import { FLAGS, isFlag, isMetric, unitOf } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTS, FIXTURES, fixtureBytes } from './fixtures.ts';
import { BLE_CHARACTERISTICS, decodeBle } from './index.ts';

describe('BLE decoder fixtures', () => {
  it.each(FIXTURES.map((f) => [f.characteristic, f.name, f] as const))('%s: %s', (_c, _n, f) => {
    expect(decodeBle(f.characteristic, fixtureBytes(f.hex), f.context ?? {}, f.opts ?? DEFAULT_OPTS)).toStrictEqual(
      f.expected,
    );
  });
});

/**
 * Device-declared continuity (issue 14): the characteristic says whether a device streams (PLX
 * Continuous 2A5F, Heart Rate 2A37) or takes spot checks (2A5E, glucose, blood pressure,
 * thermometer, scale); the server judges persistence by the `continuous` flag alone.
 */
const CONTINUOUS_CHARACTERISTICS = new Set(['2A5F', '2A37']);
describe('the continuous flag', () => {
  const withReadings = FIXTURES.filter((f) => f.expected.ok && f.expected.readings.length > 0);
  it.each(withReadings.map((f) => [f.characteristic, f.name, f] as const))('%s: %s', (c, _n, f) => {
    const r = decodeBle(f.characteristic, fixtureBytes(f.hex), f.context ?? {}, f.opts ?? DEFAULT_OPTS);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const reading of r.readings)
      expect(reading.flags?.includes('continuous') ?? false).toBe(CONTINUOUS_CHARACTERISTICS.has(c));
  });

  it('covers both kinds among the fixtures', () => {
    const kinds = new Set(withReadings.map((f) => f.characteristic));
    for (const c of ['2A5F', '2A37', '2A5E', '2A18', '2A35', '2A1C', '2A9D', '2A9C']) expect(kinds).toContain(c);
  });
});

/**
 * Each payload's fields in order, from the specification: [what, size]. Cutting the payload
 * after L bytes must fail on the first field that does not fit, naming its offset.
 */
const TRUNCATIONS: readonly { characteristic: string; hex: string; fields: readonly [string, number][] }[] = [
  {
    characteristic: '2A35',
    hex: '1f b0f0 6af0 81f0 ea070b18080005 4800 01 0d00',
    fields: [
      ['the flags', 1],
      ['the systolic pressure', 2],
      ['the diastolic pressure', 2],
      ['the mean arterial pressure', 2],
      ['the time stamp', 7],
      ['the pulse rate', 2],
      ['the user id', 1],
      ['the measurement status', 2],
    ],
  },
  {
    characteristic: '2A36',
    hex: '11 c8f0 ff07 ff07 0100',
    fields: [
      ['the flags', 1],
      ['the current cuff pressure', 2],
      ['the diastolic pressure', 2],
      ['the mean arterial pressure', 2],
      ['the measurement status', 2],
    ],
  },
  {
    characteristic: '2A1C',
    hex: '07 da0300ff ea070b18080005 06',
    fields: [
      ['the flags', 1],
      ['the temperature', 4],
      ['the time stamp', 7],
      ['the temperature type', 1],
    ],
  },
  {
    characteristic: '2A1E',
    hex: '07 da0300ff ea070b18080005 06',
    fields: [
      ['the flags', 1],
      ['the temperature', 4],
      ['the time stamp', 7],
      ['the temperature type', 1],
    ],
  },
  { characteristic: '2A1D', hex: '02', fields: [['the temperature type', 1]] },
  {
    characteristic: '2A37',
    hex: '19 2c01 e803 0004',
    fields: [
      ['the flags', 1],
      ['the heart rate', 2],
      ['the energy expended', 2],
      ['an RR interval', 2],
    ],
  },
  {
    characteristic: '2A5E',
    hex: '0f 6100 4100 ea070b18080005 8002 202000 19f0',
    fields: [
      ['the flags', 1],
      ['the SpO2', 2],
      ['the pulse rate', 2],
      ['the time stamp', 7],
      ['the measurement status', 2],
      ['the device and sensor status', 3],
      ['the pulse amplitude index', 2],
    ],
  },
  {
    characteristic: '2A5F',
    hex: '1f 6200 4600 6100 4800 6000 4400 2000 000000 0cf0',
    fields: [
      ['the flags', 1],
      ['the SpO2 (normal)', 2],
      ['the pulse rate (normal)', 2],
      ['the SpO2 (fast)', 2],
      ['the pulse rate (fast)', 2],
      ['the SpO2 (slow)', 2],
      ['the pulse rate (slow)', 2],
      ['the measurement status', 2],
      ['the device and sensor status', 3],
      ['the pulse amplitude index', 2],
    ],
  },
  {
    characteristic: '2A60',
    hex: '0300 8000 200000',
    fields: [
      ['the supported features', 2],
      ['the measurement status support', 2],
      ['the device and sensor status support', 3],
    ],
  },
  {
    characteristic: '2A9D',
    hex: '0e 8638 ea070b18080005 02 df00 0a07',
    fields: [
      ['the flags', 1],
      ['the weight', 2],
      ['the time stamp', 7],
      ['the user id', 1],
      ['the BMI', 2],
      ['the height', 2],
    ],
  },
  { characteristic: '2A9E', hex: 'a7010000', fields: [['the weight scale feature', 4]] },
  {
    characteristic: '2A9C',
    hex: 'fe0f d700 ea070b18080005 03 7017 9501 7017 f82a 1027 401f 8813 b036 d606',
    fields: [
      ['the flags', 2],
      ['the body fat percentage', 2],
      ['the time stamp', 7],
      ['the user id', 1],
      ['the basal metabolism', 2],
      ['the muscle percentage', 2],
      ['the muscle mass', 2],
      ['the fat free mass', 2],
      ['the soft lean mass', 2],
      ['the body water mass', 2],
      ['the impedance', 2],
      ['the weight', 2],
      ['the height', 2],
    ],
  },
  { characteristic: '2A9B', hex: '01be0100', fields: [['the body composition feature', 4]] },
  {
    characteristic: '2A18',
    hex: '1f 0201 ea070b18080005 3c00 35c0 22 2100',
    fields: [
      ['the flags', 1],
      ['the sequence number', 2],
      ['the base time', 7],
      ['the time offset', 2],
      ['the glucose concentration', 2],
      ['the type and sample location', 1],
      ['the sensor status annunciation', 2],
    ],
  },
  {
    characteristic: '2A34',
    hex: 'df 0201 00 01 05e0 01 51 0807 32 01 02a0 41f0',
    fields: [
      ['the flags', 1],
      ['the sequence number', 2],
      ['the extended flags', 1],
      ['the carbohydrate id', 1],
      ['the carbohydrate amount', 2],
      ['the meal', 1],
      ['the tester and health', 1],
      ['the exercise duration', 2],
      ['the exercise intensity', 1],
      ['the medication id', 1],
      ['the medication amount', 2],
      ['the HbA1c', 2],
    ],
  },
  { characteristic: '2A51', hex: 'ff07', fields: [['the glucose feature', 2]] },
  {
    characteristic: '2A52',
    hex: '02 04 01 0100 0a00',
    fields: [
      ['the op code', 1],
      ['the operator', 1],
      ['the filter type', 1],
      ['the filter minimum', 2],
      ['the filter maximum', 2],
    ],
  },
  {
    characteristic: '2A52',
    hex: '06 00 01 01',
    fields: [
      ['the op code', 1],
      ['the operator', 1],
      ['the request op code', 1],
      ['the response code value', 1],
    ],
  },
  {
    characteristic: '2A52',
    hex: '05 00 0c00',
    fields: [
      ['the op code', 1],
      ['the operator', 1],
      ['the number of records', 2],
    ],
  },
  { characteristic: '2A19', hex: '64', fields: [['the battery level', 1]] },
  {
    characteristic: '2A23',
    hex: '0102030405 0a0b0c',
    fields: [
      ['the manufacturer identifier', 5],
      ['the organizationally unique identifier', 3],
    ],
  },
  {
    characteristic: '2A2B',
    hex: 'ea070b18080005 02 80 01',
    fields: [
      ['the date time', 7],
      ['the day of week', 1],
      ['the fractions256', 1],
      ['the adjust reason', 1],
    ],
  },
  { characteristic: '2A08', hex: 'ea070b18080005', fields: [['the date time', 7]] },
];

function expectedError(characteristic: string, fields: readonly [string, number][], length: number): string {
  let offset = 0;
  for (const [what, size] of fields) {
    if (offset + size > length)
      return `${characteristic}: needs ${size} byte${size === 1 ? '' : 's'} for ${what} at offset ${offset}, got ${length - offset}`;
    offset += size;
  }
  throw new Error('the payload is complete at this length');
}

describe('truncated payloads', () => {
  const cases = TRUNCATIONS.flatMap((t) => {
    const full = fixtureBytes(t.hex);
    const total = t.fields.reduce((n, [, size]) => n + size, 0);
    if (total !== full.length)
      throw new Error(`${t.characteristic} fixture has ${full.length} bytes, fields say ${total}`);
    return Array.from({ length: full.length }, (_, length) => [t.characteristic, length, full, t.fields] as const);
  });

  it.each(cases)('%s cut to %i bytes fails on the first missing field', (characteristic, length, full, fields) => {
    expect(decodeBle(characteristic, full.subarray(0, length), {}, DEFAULT_OPTS)).toStrictEqual({
      ok: false,
      error: expectedError(characteristic, fields, length),
    });
  });

  it('gives the error the contract shows for a cut time stamp', () => {
    const bytes = fixtureBytes('1e 7800 5000 5d00 ea070b');
    expect(decodeBle('2A35', bytes, {}, DEFAULT_OPTS)).toStrictEqual({
      ok: false,
      error: '2A35: needs 7 bytes for the time stamp at offset 7, got 3',
    });
  });

  it('rejects a heart rate whose RR flag promises intervals that are missing', () => {
    expect(decodeBle('2A37', fixtureBytes('10 3c'), {}, DEFAULT_OPTS)).toStrictEqual({
      ok: false,
      error: '2A37: needs 2 bytes for an RR interval at offset 2, got 0',
    });
  });

  // Issue 14: the operand of a number of stored records response is a uint16; any other length is an error.
  it.each([
    ['05 00 0c', '2A52: needs 2 bytes for the number of records at offset 2, got 1'],
    [
      '05 00 0c00 00',
      '2A52: needs exactly 2 bytes for the number of records at offset 2, got 3 (the operand of a number of stored records response is a uint16)',
    ],
    [
      '05 00 0c00 0000',
      '2A52: needs exactly 2 bytes for the number of records at offset 2, got 4 (the operand of a number of stored records response is a uint16)',
    ],
  ])('rejects a number of stored records response %s whose operand is not 2 bytes', (hex, error) => {
    expect(decodeBle('2A52', fixtureBytes(hex), {}, DEFAULT_OPTS)).toStrictEqual({ ok: false, error });
  });

  it('decodes an empty device information string as an empty string', () => {
    expect(decodeBle('2A29', new Uint8Array(), {}, DEFAULT_OPTS)).toStrictEqual({
      ok: true,
      readings: [],
      notes: [],
      info: { manufacturerName: '' },
    });
  });
});

describe('decodeBle input handling', () => {
  const bp = fixtureBytes('00 7800 5000 5d00');

  it('accepts the characteristic in any case, with 0x, or as the full base UUID', () => {
    const expected = decodeBle('2A35', bp, {}, DEFAULT_OPTS);
    expect(expected.ok).toBe(true);
    for (const name of ['2a35', '0x2A35', '0X2a35', ' 2A35 ', '00002a35-0000-1000-8000-00805f9b34fb'])
      expect(decodeBle(name, bp, {}, DEFAULT_OPTS)).toStrictEqual(expected);
  });

  it('names an unknown characteristic in its error', () => {
    expect(decodeBle('2AFF', bp, {}, DEFAULT_OPTS)).toStrictEqual({
      ok: false,
      error: 'unknown characteristic "2AFF": the gateway has no BLE decoder for it',
    });
    expect(decodeBle('not-a-uuid', bp, {}, DEFAULT_OPTS)).toStrictEqual({
      ok: false,
      error: 'unknown characteristic "not-a-uuid": the gateway has no BLE decoder for it',
    });
  });

  it('rejects an unknown time zone instead of guessing one', () => {
    expect(decodeBle('2A35', bp, {}, { tz: 'Mars/Olympus' })).toStrictEqual({
      ok: false,
      error: 'unknown time zone "Mars/Olympus": give an IANA zone such as Asia/Tokyo or UTC',
    });
  });
});

describe('the characteristic registry', () => {
  it('lists each UUID once, upper-case, with a name and a known kind', () => {
    const uuids = BLE_CHARACTERISTICS.map((c) => c.uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const c of BLE_CHARACTERISTICS) {
      expect(c.uuid).toMatch(/^[0-9A-F]{4}$/);
      expect(c.name.length).toBeGreaterThan(0);
      expect(['measurement', 'intermediate', 'context', 'control', 'info']).toContain(c.kind);
    }
  });

  it('has a fixture that decodes successfully for every characteristic', () => {
    for (const c of BLE_CHARACTERISTICS) {
      const ok = FIXTURES.filter((f) => f.characteristic === c.uuid && f.expected.ok);
      expect(ok.length, `${c.uuid} ${c.name} has no successful fixture`).toBeGreaterThan(0);
    }
  });

  it('gives readings only for measurement characteristics, as the contract asks', () => {
    const byUuid = new Map(BLE_CHARACTERISTICS.map((c) => [c.uuid, c.kind]));
    for (const f of FIXTURES) {
      const kind = byUuid.get(f.characteristic);
      if (f.expected.ok && f.expected.readings.length > 0) expect(['measurement', 'intermediate']).toContain(kind);
    }
  });

  it('names the context key of every characteristic another decoder reads', () => {
    const keys = Object.fromEntries(BLE_CHARACTERISTICS.filter((c) => c.contextKey).map((c) => [c.uuid, c.contextKey]));
    expect(keys).toStrictEqual({
      '2A1D': 'temperatureType',
      '2A60': 'plxFeatures',
      '2A9E': 'weightScaleFeature',
      '2A9B': 'bodyCompositionFeature',
      '2A51': 'glucoseFeature',
    });
  });
});

/** mulberry32: a small seeded generator so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('random payloads', () => {
  it('never throw and always give a contract-shaped result (100,000 buffers)', () => {
    const next = random(20261124);
    const uuids = BLE_CHARACTERISTICS.map((c) => c.uuid);
    const contextKeys = ['weightScaleFeature', 'plxFeatures', 'temperatureType', 'bodyCompositionFeature'];
    const zones = ['UTC', 'Asia/Tokyo', 'America/New_York'];
    const models = [undefined, 'WS-220B', 'GM-550BT', 'BP-780U'];
    const bytesOf = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
    let ok = 0;
    for (let i = 0; i < 100_000; i++) {
      const characteristic = uuids[i % uuids.length]!;
      const bytes = bytesOf(Math.floor(next() * 32));
      const context: Record<string, string> = {};
      if (next() < 0.3)
        context[contextKeys[Math.floor(next() * contextKeys.length)]!] = Buffer.from(
          bytesOf(Math.floor(next() * 8)),
        ).toString('hex');
      const opts = { tz: zones[i % zones.length]!, model: models[Math.floor(next() * models.length)] };
      const r = decodeBle(characteristic, bytes, context, opts);
      JSON.stringify(r);
      if (!r.ok) {
        expect(r.error).not.toMatch(/internal/);
        expect(r.error.startsWith(`${characteristic}: needs `)).toBe(true);
        continue;
      }
      ok++;
      for (const reading of r.readings) {
        expect(isMetric(reading.metric)).toBe(true);
        expect(reading.unit).toBe(unitOf(reading.metric));
        if (reading.value === undefined) expect(reading.flags?.length).toBeGreaterThan(0);
        else expect(Number.isFinite(reading.value)).toBe(true);
        if (reading.source) expect(Number.isFinite(reading.source.value)).toBe(true);
        for (const flag of reading.flags ?? []) expect(isFlag(flag), `${flag} is not in FLAGS`).toBe(true);
        if (reading.time !== undefined) expect(reading.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      for (const note of r.notes) expect(typeof note).toBe('string');
    }
    expect(ok).toBeGreaterThan(10_000);
    expect(Object.keys(FLAGS).length).toBeGreaterThan(0);
  }, 180_000); // CPU-bound: about 10 s on a quiet machine, several times that on a loaded CI machine
});
