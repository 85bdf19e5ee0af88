import { describe, expect, it } from 'vitest';
import { Ultra2Decoder, ultra2Checksum, ultra2Command, ultra2SetClockCommand } from './onetouch-ultra2.ts';
import { ascii, chunkings, prng, runChunks, runWhole } from './stream-test-kit.ts';

const decoder = (tz = 'Asia/Tokyo') => new Ultra2Decoder({ tz });

// Header and first two records as published in tidepool-org/uploader's Ultra 2 driver notes;
// the other checksums were summed by hand (16-bit sum of the bytes before the space).
const HEADER = 'P 003,"GMF600DCY","MG/DL " 05A6\r\n';
const R1 = 'P "SAT","03/21/15","16:45:24   ","  081 ","N","03", 00 09B6\r\n';
const R2 = 'P "SAT","03/21/15","16:42:11   ","  105 ","B","02", 00 099F\r\n';
const R3 = 'P "SAT","03/21/15","16:39:46   ","  176 ","N","02", 00 09C1\r\n';
const CONTROL = 'P "TUE","11/24/26","08:00:00   ","C 105 ","N","00", 00 09CF\r\n';
const MMOL_HEADER = 'P 002,"ABC123456","MMOL/L" 058D\r\n';
const MMOL_R1 = 'P "TUE","11/24/26","07:30:00   ","  099 ","B","05", 00 09B3\r\n';
const MMOL_R2 = 'P "MON","11/23/26","21:15:00   ","  250 ","A","00", 00 099C\r\n';
const PARITY = 'P "MON","11/23/26","21:10:00   ","  180?","N","00", 00 09C5\r\n';
const FEB30 = 'P "FRI","02/30/26","10:00:00   ","  110 ","N","00", 00 0991\r\n';
const CLOCK = 'F "TUE","11/24/26","08:00:00   " 0602\r\n';

const glucose = (value: number, time: string, extra: object = {}) => ({
  metric: 'glucose',
  value,
  unit: 'mg/dL',
  time,
  ...extra,
});

describe('onetouch-ultra2 checksum and commands', () => {
  it('sums the bytes of a line into 16 bits', () => {
    expect(ultra2Checksum('P 003,"GMF600DCY","MG/DL "')).toBe(0x05a6);
  });

  it('prefixes every command with DC1 CR and ends it with CR', () => {
    expect(Buffer.from(ultra2Command('DMP')).toString('latin1')).toBe('\x11\rDMP\r');
  });

  it('writes the set-clock command as DMTmm/dd/yy hh:mm:ss', () => {
    const bytes = ultra2SetClockCommand({ year: 2026, month: 11, day: 4, hours: 8, minutes: 5, seconds: 9 });
    expect(Buffer.from(bytes).toString('latin1')).toBe('\x11\rDMT11/04/26 08:05:09\r');
  });
});

describe('onetouch-ultra2 stream decoder', () => {
  it('decodes a memory dump in the gateway zone with meal flags and comment notes', () => {
    expect(runWhole(decoder(), ascii(HEADER + R1 + R2 + R3))).toStrictEqual({
      readings: [
        glucose(81, '2015-03-21T07:45:24.000Z'),
        glucose(105, '2015-03-21T07:42:11.000Z', { flags: ['before_meal'] }),
        glucose(176, '2015-03-21T07:39:46.000Z'),
      ],
      notes: [
        'memory dump of meter GMF600DCY: 3 records, displays MG/DL',
        'record of 2015-03-21T16:45:24: comment "mild exercise"',
        'record of 2015-03-21T16:42:11: comment "too much food"',
        'record of 2015-03-21T16:39:46: comment "too much food"',
      ],
      frames: 4,
      skippedBytes: 0,
      events: [],
    });
  });

  it('flags a control-solution result so it is never taken for a patient reading', () => {
    const out = runWhole(decoder('UTC'), ascii(CONTROL));
    expect(out.readings).toStrictEqual([glucose(105, '2026-11-24T08:00:00.000Z', { flags: ['control_solution'] })]);
  });

  it('keeps mg/dL as the value and the displayed mmol/L in source on a mmol/L meter', () => {
    const out = runWhole(decoder('UTC'), ascii(MMOL_HEADER + MMOL_R1 + MMOL_R2));
    expect(out.readings).toStrictEqual([
      glucose(99, '2026-11-24T07:30:00.000Z', { source: { value: 5.5, unit: 'mmol/L' }, flags: ['before_meal'] }),
      glucose(250, '2026-11-23T21:15:00.000Z', { source: { value: 13.9, unit: 'mmol/L' }, flags: ['after_meal'] }),
    ]);
  });

  it('gives no reading for a record the meter marks with a parity error', () => {
    const out = runWhole(decoder('UTC'), ascii(PARITY));
    expect(out.readings).toStrictEqual([]);
    expect(out.notes).toStrictEqual([
      'record of 2026-11-23T21:10:00 is marked with a parity error by the meter: no reading',
    ]);
  });

  it('gives a reading without time for an impossible date', () => {
    const out = runWhole(decoder('UTC'), ascii(FEB30));
    expect(out.readings).toStrictEqual([{ metric: 'glucose', value: 110, unit: 'mg/dL' }]);
    expect(out.notes).toStrictEqual(['record 2026-02-30T10:00:00 has an impossible date: no time']);
  });

  it('skips a line with a bad checksum, counting its bytes, and keeps the others', () => {
    const bad = R2.replace('0105', '0106').replace('  105 ', '  106 ');
    const out = runWhole(decoder(), ascii(HEADER + R1 + bad + R3));
    expect(out.readings.map((r) => r.value)).toStrictEqual([81, 176]);
    expect(out.skippedBytes).toBe(bad.length);
    expect(out.notes).toContain(
      'skipped line "P "SAT","03/21/15","16:42:11   ","  106 ","B","02", 00 099F": checksum 099F does not match the computed 09A0',
    );
  });

  it('reports the meter clock answer as a device_clock event read in the zone', () => {
    const out = runWhole(decoder(), ascii(CLOCK));
    expect(out.events).toStrictEqual([
      { type: 'device_clock', detail: { wallTime: '2026-11-24T08:00:00', time: '2026-11-23T23:00:00.000Z' } },
    ]);
  });

  it('ignores NUL bytes a waking meter sends before a line', () => {
    const out = runWhole(decoder('UTC'), ascii(`\0\0${CONTROL}`));
    expect(out.readings).toHaveLength(1);
    expect(out.skippedBytes).toBe(0);
  });

  it('decodes a last line that came without its CR LF', () => {
    const out = runWhole(decoder('UTC'), ascii(CONTROL.trimEnd()));
    expect(out.readings).toHaveLength(1);
  });

  it('gives the same output for every chunking of a dump with a bad line', () => {
    const stream = ascii(HEADER + R1 + R2.replace('099F', '0999') + R3 + CLOCK);
    const reference = runWhole(decoder(), stream);
    expect(reference.skippedBytes).toBe(R2.length);
    for (const { label, chunks } of chunkings(stream)) {
      expect(runChunks(decoder(), chunks), label).toStrictEqual(reference);
    }
  });

  it('never throws on random bytes or random printable lines', () => {
    const random = prng(3);
    for (let run = 0; run < 200; run++) {
      const bytes = new Uint8Array(
        Array.from({ length: 400 }, () => (random() < 0.05 ? 10 : Math.floor(random() * (run % 2 ? 256 : 95)) + 32)),
      );
      expect(() => runWhole(decoder(), bytes)).not.toThrow();
    }
  });
});
