import { describe, expect, it } from 'vitest';
import { NoninFormat2Decoder, noninHeartRate, noninPerfusion } from './nonin-format2.ts';
import { chunkings, concat, hex, prng, runChunks, runWhole } from './stream-test-kit.ts';

const decoder = () => new NoninFormat2Decoder({ tz: 'UTC' });

// Frames worked out by hand: 01, STATUS, PLETH, DATA, (sum of the four) mod 256.
const RESERVED = '01 80 01 00 82';

/** HR 72, SpO2 97, green perfusion in frames 1-3; extended values differ so each is checked. */
const P1_FRAMES = [
  '01 83 01 00 85', // 1 HR MSB 0, SYNC + GPRF
  '01 82 01 48 CC', // 2 HR LSB 72
  '01 82 01 61 E5', // 3 SpO2 97
  '01 80 01 30 B2', // 4 SREV
  RESERVED,
  RESERVED,
  RESERVED,
  RESERVED, // 5-8
  '01 80 01 61 E3', // 9 SpO2-D 97
  '01 80 01 60 E2', // 10 SpO2 Fast 96
  '01 80 01 5F E1', // 11 SpO2 B-B 95
  RESERVED,
  RESERVED, // 12-13
  RESERVED, // 14 E-HR MSB 0
  '01 80 01 46 C8', // 15 E-HR LSB 70
  '01 80 01 61 E3', // 16 E-SpO2 97
  '01 80 01 62 E4', // 17 E-SpO2-D 98
  RESERVED,
  RESERVED, // 18-19
  RESERVED, // 20 HR-D MSB 0
  '01 80 01 49 CB', // 21 HR-D LSB 73
  RESERVED, // 22 E-HR-D MSB 0
  '01 80 01 47 C9', // 23 E-HR-D LSB 71
  RESERVED,
  RESERVED, // 24-25
];
const P1 = hex(P1_FRAMES.join(' '));
const P1_NOTE =
  'packet extended values: SpO2-D 97, SpO2 Fast 96, SpO2 B-B 95, E-SpO2 97, E-SpO2-D 98, HR-D 73, E-HR 70, E-HR-D 71';
const ZERO_NOTE =
  'packet extended values: SpO2-D 0, SpO2 Fast 0, SpO2 B-B 0, E-SpO2 0, E-SpO2-D 0, HR-D 0, E-HR 0, E-HR-D 0';

const packet = (first3: string[], rest = RESERVED) => hex([...first3, ...Array(22).fill(rest)].join(' '));
/** HR 300 (MSB 2, LSB 0x2C), SpO2 90; red perfusion in frame 1, artifact in frame 2. */
const P2 = packet(['01 85 01 02 89', '01 A0 01 2C CE', '01 80 01 5A DC']);
/** Missing markers: HR 511 (MSB 3, LSB 7F), SpO2 127. */
const MISSING = packet(['01 81 01 03 86', '01 80 01 7F 01', '01 80 01 7F 01']);
/** Sensor disconnected in every frame, missing markers. */
const SNSD = packet(['01 C1 01 03 C6', '01 C0 01 7F 41', '01 C0 01 7F 41'], '01 C0 01 00 C2');

const spo2 = (value: number, flags: string[] = []) => ({
  metric: 'spo2',
  value,
  unit: '%',
  flags: ['continuous', ...flags],
});
const pr = (value: number, flags?: string[]) => ({
  metric: 'pulse_rate',
  value,
  unit: '/min',
  flags: ['continuous', ...(flags ?? [])],
});

describe('nonin-format2 fields', () => {
  it('joins a 9-bit heart rate from its MSB and LSB frames', () => {
    expect(noninHeartRate(0x02, 0x2c)).toBe(300);
    expect(noninHeartRate(0x03, 0x7f)).toBe(511);
  });

  it('reads yellow perfusion as red and green both set', () => {
    expect([0x80, 0x82, 0x84, 0x86].map(noninPerfusion)).toStrictEqual(['none', 'green', 'red', 'yellow']);
  });
});

describe('nonin-format2 stream decoder', () => {
  it('decodes the standard HR and SpO2 of a packet and notes its extended values', () => {
    expect(runWhole(decoder(), P1)).toStrictEqual({
      readings: [spo2(97), pr(72)],
      notes: [P1_NOTE],
      frames: 25,
      skippedBytes: 0,
      events: [],
    });
  });

  it('flags low perfusion and artifact seen in the frames of the standard values', () => {
    const out = runWhole(decoder(), P2);
    expect(out.readings).toStrictEqual([
      spo2(90, ['low_perfusion', 'artifact']),
      pr(300, ['low_perfusion', 'artifact']),
    ]);
    expect(out.notes).toStrictEqual([ZERO_NOTE]);
  });

  it('gives no reading for missing markers and reports searching until values return', () => {
    const out = runWhole(decoder(), concat(MISSING, P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72)]);
    expect(out.events).toStrictEqual([
      { type: 'searching', detail: { state: 'started', seconds: 0 } },
      { type: 'searching', detail: { state: 'ended', seconds: 0.3 } },
    ]);
  });

  it('reports a disconnected sensor once and gives no reading and no searching event', () => {
    const out = runWhole(decoder(), SNSD);
    expect(out.readings).toStrictEqual([]);
    expect(out.events).toStrictEqual([{ type: 'sensor_disconnected', detail: { state: 'started', seconds: 0 } }]);
  });

  it('skips the 5 bytes of a frame with a bad checksum and abandons the rest of its packet', () => {
    const broken = hex([P1_FRAMES[0], '01 82 01 48 CD', ...P1_FRAMES.slice(2)].join(' '));
    const out = runWhole(decoder(), concat(broken, P2));
    expect(out.readings).toStrictEqual([
      spo2(90, ['low_perfusion', 'artifact']),
      pr(300, ['low_perfusion', 'artifact']),
    ]);
    expect(out.skippedBytes).toBe(5);
    expect(out.frames).toBe(24 + 25);
    expect(out.notes).toStrictEqual([
      'packet abandoned after 1 frames: bytes lost inside it; its values are dropped',
      'ignored 23 intact frames outside a packet (no SYNC frame before them)',
      ZERO_NOTE,
    ]);
  });

  // Issue 14: a packet abandoned because bytes were lost yields nothing, not even the HR and
  // SpO2 of its intact first frames.
  const abandoned = (n: number) => `packet abandoned after ${n} frames: bytes lost inside it; its values are dropped`;
  const outside = (n: number) => `ignored ${n} intact frames outside a packet (no SYNC frame before them)`;
  it.each([
    [
      'frame 10 loses its DATA byte',
      [...P1_FRAMES.slice(0, 9), '01 80 01 E2', ...P1_FRAMES.slice(10)],
      4,
      [abandoned(9), outside(15)],
    ],
    [
      'frame 4 loses its checksum',
      [...P1_FRAMES.slice(0, 3), '01 80 01 30', ...P1_FRAMES.slice(4)],
      4,
      [abandoned(3), outside(21)],
    ],
    [
      'frame 25 has a bad checksum',
      [...P1_FRAMES.slice(0, 24), '01 80 01 00 83'],
      5,
      ['packet cut short: 24 of 25 frames before the next SYNC frame; its values are dropped'],
    ],
  ])('abandons a packet whose %s and yields nothing from it', (_what, frames, skipped, notes) => {
    const out = runWhole(decoder(), concat(hex(frames.join(' ')), P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72)]);
    expect(out.skippedBytes).toBe(skipped);
    expect(out.notes).toStrictEqual([...notes, P1_NOTE]);
  });

  it('skips the 4 left bytes of a frame that lost a byte and gives no values of that packet', () => {
    // Frame 10 (01 80 01 60 E2) loses its DATA byte.
    const broken = hex([...P1_FRAMES.slice(0, 9), '01 80 01 E2', ...P1_FRAMES.slice(10)].join(' '));
    const out = runWhole(decoder(), concat(broken, P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72)]);
    expect(out.skippedBytes).toBe(4);
    expect(out.notes).toStrictEqual([
      'packet abandoned after 9 frames: bytes lost inside it; its values are dropped',
      'ignored 15 intact frames outside a packet (no SYNC frame before them)',
      P1_NOTE,
    ]);
  });

  it('skips garbage between packets without losing either packet', () => {
    const out = runWhole(decoder(), concat(P1, hex('FF 00 FF'), P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72), spo2(97), pr(72)]);
    expect(out.skippedBytes).toBe(3);
    expect(out.notes).toStrictEqual([P1_NOTE, P1_NOTE]);
  });

  it('ignores intact frames before the first SYNC frame and counts them', () => {
    const tail = hex(P1_FRAMES.slice(19).join(' '));
    const out = runWhole(decoder(), concat(tail, P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72)]);
    expect(out.skippedBytes).toBe(0);
    expect(out.notes[0]).toBe('ignored 6 intact frames outside a packet (no SYNC frame before them)');
  });

  it('drops a packet cut short by the next SYNC frame (whole frames lost) with a note', () => {
    const short = hex(P1_FRAMES.slice(0, 10).join(' '));
    const out = runWhole(decoder(), concat(short, P1));
    expect(out.readings).toStrictEqual([spo2(97), pr(72)]);
    expect(out.notes).toStrictEqual([
      'packet cut short: 10 of 25 frames before the next SYNC frame; its values are dropped',
      P1_NOTE,
    ]);
  });

  it('gives the same output for every chunking of a stream with corruption', () => {
    const broken = hex([P1_FRAMES[0], '01 82 01 48 CD', ...P1_FRAMES.slice(2, 9), '01 80 01 E2'].join(' '));
    const stream = concat(hex('80 01'), P1, broken, P2, hex('FF'), MISSING, P1.slice(0, 13));
    const reference = runWhole(decoder(), stream);
    expect(reference.skippedBytes).toBe(2 + 5 + 4 + 1);
    for (const { label, chunks } of chunkings(stream)) {
      expect(runChunks(decoder(), chunks), label).toStrictEqual(reference);
    }
  });

  it('never throws on random bytes', () => {
    const random = prng(2);
    for (let run = 0; run < 200; run++) {
      const bytes = new Uint8Array(Array.from({ length: 600 }, () => Math.floor(random() * 256)));
      const out = runWhole(decoder(), bytes);
      for (const r of out.readings) expect(r.value).toBeLessThanOrEqual(r.metric === 'spo2' ? 100 : 321);
    }
  });
});
