import { describe, expect, it } from 'vitest';
import {
  decodeBle,
  encodeCurrentTime,
  encodeDateTime,
  encodeRacpAbort,
  encodeRacpReportAll,
  encodeRacpReportFromSequence,
  encodeRacpReportNumberFromSequence,
  encodeRacpReportNumberOfRecords,
} from './index.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('RACP request encoders (GLS 3.9, GSS 3.184)', () => {
  it('encodes "report all stored records" as op code 1, operator 1', () => {
    expect(encodeRacpReportAll()).toStrictEqual(bytes(0x01, 0x01));
  });

  it('encodes "report records >= sequence" with filter type 1 and a little-endian uint16', () => {
    expect(encodeRacpReportFromSequence(5)).toStrictEqual(bytes(0x01, 0x03, 0x01, 0x05, 0x00));
    expect(encodeRacpReportFromSequence(0x1234)).toStrictEqual(bytes(0x01, 0x03, 0x01, 0x34, 0x12));
  });

  it('encodes "report number of stored records" for all records and from a sequence number', () => {
    expect(encodeRacpReportNumberOfRecords()).toStrictEqual(bytes(0x04, 0x01));
    expect(encodeRacpReportNumberFromSequence(300)).toStrictEqual(bytes(0x04, 0x03, 0x01, 0x2c, 0x01));
  });

  it('encodes "abort operation" with the Null operator', () => {
    expect(encodeRacpAbort()).toStrictEqual(bytes(0x03, 0x00));
  });

  it('refuses a sequence number that does not fit in a uint16', () => {
    expect(() => encodeRacpReportFromSequence(65536)).toThrow(RangeError);
    expect(() => encodeRacpReportFromSequence(-1)).toThrow(RangeError);
    expect(() => encodeRacpReportNumberFromSequence(1.5)).toThrow(RangeError);
  });

  it('encodes requests the RACP decoder reads back', () => {
    expect(decodeBle('2A52', encodeRacpReportFromSequence(7), {}, { tz: 'UTC' })).toStrictEqual({
      ok: true,
      readings: [],
      notes: [],
      info: {
        racp: {
          opCode: 'report_stored_records',
          operator: 'greater_than_or_equal_to',
          filter: { type: 'sequence_number', min: 7 },
        },
      },
    });
  });
});

describe('clock encoders', () => {
  it('writes a Date Time as wall time in the gateway zone', () => {
    // 2026-11-23T23:00:05Z is 2026-11-24 08:00:05 in Tokyo: year 0x07EA, 11, 24
    expect(encodeDateTime(new Date('2026-11-23T23:00:05.000Z'), 'Asia/Tokyo')).toStrictEqual(
      bytes(0xea, 0x07, 0x0b, 0x18, 0x08, 0x00, 0x05),
    );
  });

  it('writes a Current Time with day of week, fractions and adjust reasons', () => {
    // Tuesday = 2; 500 ms = 128/256; manual (bit 0) | change of DST (bit 3) = 0x09
    expect(
      encodeCurrentTime(new Date('2026-11-23T23:00:05.500Z'), 'Asia/Tokyo', ['manual_time_update', 'change_of_dst']),
    ).toStrictEqual(bytes(0xea, 0x07, 0x0b, 0x18, 0x08, 0x00, 0x05, 0x02, 0x80, 0x09));
  });

  it('follows daylight saving time and the weekday of the zone', () => {
    // 2026-07-01T16:00:00Z = 12:00 EDT on Wednesday (3); 2026-01-01T04:30:00Z = 23:30 EST on Wednesday 31 December
    expect(encodeCurrentTime(new Date('2026-07-01T16:00:00.000Z'), 'America/New_York')).toStrictEqual(
      bytes(0xea, 0x07, 0x07, 0x01, 0x0c, 0x00, 0x00, 0x03, 0x00, 0x00),
    );
    expect(encodeCurrentTime(new Date('2026-01-01T04:30:00.000Z'), 'America/New_York')).toStrictEqual(
      bytes(0xe9, 0x07, 0x0c, 0x1f, 0x17, 0x1e, 0x00, 0x03, 0x00, 0x00),
    );
  });

  it('round-trips through the Current Time decoder to the same instant', () => {
    const at = new Date('2026-03-08T06:59:59.000Z');
    const r = decodeBle('2A2B', encodeCurrentTime(at, 'America/New_York'), {}, { tz: 'America/New_York' });
    expect(r.ok ? r.info?.clock : undefined).toMatchObject({ time: at.toISOString() });
  });
});
