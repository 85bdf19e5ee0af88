import { describe, expect, it } from 'vitest';
import { deviceTime, glucoseSequenceNumber, parseRacpResponse, shortUuid } from './control.ts';

const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

describe('RACP responses', () => {
  it('recognises a response code with its name', () => {
    expect(parseRacpResponse(bytes('06000106'))).toStrictEqual({
      kind: 'response',
      requestOpcode: 1,
      code: 6,
      name: 'no_records_found',
    });
  });

  it('recognises the number of stored records', () => {
    expect(parseRacpResponse(bytes('05002c01'))).toStrictEqual({ kind: 'count', count: 300 });
  });

  it('returns null for anything else', () => {
    expect(parseRacpResponse(bytes('0600'))).toBeNull();
    expect(parseRacpResponse(bytes('0101'))).toBeNull();
  });
});

describe('glucose sequence numbers', () => {
  it('reads the uint16 after the flags', () => {
    expect(glucoseSequenceNumber(bytes('1a0201ea07'))).toBe(0x0102);
  });

  it('gives nothing for a value too short to hold one', () => {
    expect(glucoseSequenceNumber(bytes('1a02'))).toBeUndefined();
  });
});

describe('device clocks', () => {
  it('reads a device Date Time in the gateway zone', () => {
    expect(deviceTime(bytes('ea070b18103b3a0200'), 'Asia/Tokyo')?.toISOString()).toBe('2026-11-24T07:59:58.000Z');
  });

  it('gives null for an unset clock with zeros', () => {
    expect(deviceTime(bytes('00000000000000'), 'UTC')).toBeNull();
    expect(deviceTime(bytes('ea07'), 'UTC')).toBeNull();
  });
});

describe('UUID spelling', () => {
  it('turns noble spellings into frame spellings', () => {
    expect(shortUuid('2a35')).toBe('2A35');
    expect(shortUuid('00002a3500001000800000805f9b34fb')).toBe('2A35');
    expect(shortUuid('0000fff0-0000-1000-8000-00805f9b34fb')).toBe('FFF0');
  });
});

describe('random bytes', () => {
  it('never make a control helper throw', () => {
    let seed = 12345;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let i = 0; i < 20_000; i++) {
      const b = Uint8Array.from({ length: next() % 12 }, next);
      expect(() => {
        parseRacpResponse(b);
        glucoseSequenceNumber(b);
        deviceTime(b, 'Asia/Tokyo');
      }).not.toThrow();
    }
  });
});
