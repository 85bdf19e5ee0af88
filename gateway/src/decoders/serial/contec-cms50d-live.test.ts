import { describe, expect, it } from 'vitest';
import type { StreamOutput } from '../result.ts';
import { Cms50dLiveDecoder, parseCms50dPacket } from './contec-cms50d-live.ts';
import { chunkings, concat, hex, prng, runChunks, runWhole } from './stream-test-kit.ts';

const opts = { tz: 'UTC' };
const decoder = () => new Cms50dLiveDecoder(opts);

// Worked out by hand from the layout (byte 1: sync|beep|dropping|too long|strength,
// byte 3: PR bit 7 (0x40) | searching (0x20) | probe error (0x10) | bargraph).
/** SpO2 97, PR 72, strength 5, bargraph 3. */
const A = hex('85 40 03 48 61');
/** SpO2 88, PR 150 = 0x80 | 0x16, beep, strength 3, bargraph 7. */
const B = hex('C3 10 47 16 58');
/** Finger out: probe error, PR 255, SpO2 127. */
const FINGER_OUT = hex('80 00 50 7F 7F');
/** Searching: searching bit, PR 255, SpO2 127. */
const SEARCHING = hex('80 00 60 7F 7F');
/** No status bits, both sentinels. */
const SENTINELS = hex('81 00 40 7F 7F');
/** SpO2 95, PR 255 (sentinel). */
const SPO2_ONLY = hex('82 20 41 7F 5F');
/** SpO2 112: framed but impossible. */
const IMPOSSIBLE = hex('85 40 03 48 70');

const spo2 = (value: number) => ({ metric: 'spo2' as const, value, unit: '%', flags: ['continuous'] });
const pr = (value: number) => ({ metric: 'pulse_rate' as const, value, unit: '/min', flags: ['continuous'] });

describe('contec-cms50d-live packet layout', () => {
  it('reads every field of a packet with the pulse rate high bit set', () => {
    expect(parseCms50dPacket(B)).toStrictEqual({
      signalStrength: 3,
      searchingTooLong: false,
      spo2Dropping: false,
      pulseBeep: true,
      pleth: 0x10,
      bargraph: 7,
      probeError: false,
      searching: false,
      pulseRate: 150,
      spo2: 88,
    });
  });
});

describe('contec-cms50d-live stream decoder', () => {
  const cases: { name: string; bytes: Uint8Array; expected: Partial<StreamOutput> }[] = [
    {
      name: 'two good packets give SpO2 and pulse rate each',
      bytes: concat(A, B),
      expected: { readings: [spo2(97), pr(72), spo2(88), pr(150)], skippedBytes: 0, frames: 2 },
    },
    {
      name: 'a sentinel pulse rate gives only the SpO2 reading',
      bytes: SPO2_ONLY,
      expected: { readings: [spo2(95)], skippedBytes: 0, frames: 1 },
    },
    {
      name: 'both sentinels give no reading and no event',
      bytes: SENTINELS,
      expected: { readings: [], events: [], skippedBytes: 0, frames: 1 },
    },
    {
      name: 'finger out gives no reading and a finger_out event that ends when the finger returns',
      bytes: concat(FINGER_OUT, FINGER_OUT, A),
      expected: {
        readings: [spo2(97), pr(72)],
        events: [
          { type: 'finger_out', detail: { state: 'started', seconds: 0 } },
          { type: 'finger_out', detail: { state: 'ended', seconds: 0 } },
        ],
        frames: 3,
      },
    },
    {
      name: 'searching gives no reading and a searching event',
      bytes: SEARCHING,
      expected: { readings: [], events: [{ type: 'searching', detail: { state: 'started', seconds: 0 } }] },
    },
    {
      name: 'bytes before the first sync byte are skipped',
      bytes: concat(hex('03 48 61'), B),
      expected: { readings: [spo2(88), pr(150)], skippedBytes: 3, frames: 1 },
    },
    {
      name: 'inserted bytes with bit 7 clear between packets are skipped',
      bytes: concat(A, hex('11 22'), B),
      expected: { readings: [spo2(97), pr(72), spo2(88), pr(150)], skippedBytes: 2, frames: 2 },
    },
    {
      name: 'a sync-like byte inserted between packets is skipped as a one-byte partial packet',
      bytes: concat(A, hex('FF'), B),
      expected: { readings: [spo2(97), pr(72), spo2(88), pr(150)], skippedBytes: 1, frames: 2 },
    },
    {
      name: 'a byte inserted inside a packet that shifts SpO2 out of range drops the packet and the byte after it',
      // A with 7E inserted before its SpO2 byte: the packet reads SpO2 0x7E = 126, then 61 is left over.
      bytes: concat(hex('85 40 03 48 7E 61'), B),
      expected: { readings: [spo2(88), pr(150)], skippedBytes: 6, frames: 1 },
    },
    {
      name: 'a packet that lost a byte is dropped whole at the next sync byte',
      bytes: concat(hex('85 40 03 61'), B),
      expected: { readings: [spo2(88), pr(150)], skippedBytes: 4, frames: 1 },
    },
    {
      name: 'a stray sync byte inside a packet drops both partial packets',
      // 85 40 | 90 03 48 61 | C3 ...: 2 bytes, then 4 bytes without a fifth.
      bytes: concat(hex('85 40 90 03 48 61'), B),
      expected: { readings: [spo2(88), pr(150)], skippedBytes: 6, frames: 1 },
    },
    {
      name: 'an impossible SpO2 drops the packet and says why',
      bytes: concat(IMPOSSIBLE, A),
      expected: {
        readings: [spo2(97), pr(72)],
        skippedBytes: 5,
        frames: 1,
        notes: ['dropped a damaged packet: SpO2 112 is above 100 %'],
      },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const out = runWhole(decoder(), c.bytes);
      expect(out).toMatchObject(c.expected);
      if (c.expected.readings) expect(out.readings).toStrictEqual(c.expected.readings);
    });
  }

  it('gives the same output for every chunking of a stream with corruption', () => {
    const stream = concat(
      hex('48 61'),
      A,
      FINGER_OUT,
      hex('85 40 90 03 48 61'),
      B,
      IMPOSSIBLE,
      SPO2_ONLY,
      hex('C3 10'),
    );
    const reference = runWhole(decoder(), stream);
    expect(reference.skippedBytes).toBe(2 + 6 + 5);
    for (const { label, chunks } of chunkings(stream)) {
      expect(runChunks(decoder(), chunks), label).toStrictEqual(reference);
    }
  });

  it('reports a partial packet at the end of the stream in a note', () => {
    const out = runWhole(decoder(), concat(A, hex('C3 10')));
    expect(out.notes).toStrictEqual(['2 bytes at the end form an incomplete packet of 5 bytes']);
    expect(out.skippedBytes).toBe(0);
  });

  it('reminds every 30 s of finger out and reports the duration when it ends', () => {
    const out = runWhole(decoder(), concat(...Array.from({ length: 60 * 61 }, () => FINGER_OUT), A));
    expect(out.events).toStrictEqual([
      { type: 'finger_out', detail: { state: 'started', seconds: 0 } },
      { type: 'finger_out', detail: { state: 'continuing', seconds: 30 } },
      { type: 'finger_out', detail: { state: 'continuing', seconds: 60 } },
      { type: 'finger_out', detail: { state: 'ended', seconds: 61 } },
    ]);
  });

  it('never throws on random bytes and never reports an impossible value', () => {
    const random = prng(1);
    for (let run = 0; run < 200; run++) {
      const bytes = new Uint8Array(Array.from({ length: 500 }, () => Math.floor(random() * 256)));
      const out = runWhole(decoder(), bytes);
      for (const r of out.readings) {
        if (r.metric === 'spo2') expect(r.value).toBeLessThanOrEqual(100);
        else expect(r.value).toBeLessThanOrEqual(250);
      }
    }
  });
});
