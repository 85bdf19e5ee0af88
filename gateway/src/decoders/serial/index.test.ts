import { describe, expect, it } from 'vitest';
import { decodeSerialChunk, SERIAL_PROTOCOLS } from './index.ts';
import { hex } from './stream-test-kit.ts';

const opts = { tz: 'UTC' };

describe('serial protocol registry', () => {
  it('registers each contract protocol under its own name', () => {
    expect(Object.keys(SERIAL_PROTOCOLS).sort()).toStrictEqual([
      'contec-cms50d-live',
      'nonin-format2',
      'onetouch-ultra2',
    ]);
    for (const [key, p] of Object.entries(SERIAL_PROTOCOLS)) expect(p.name).toBe(key);
  });

  it('gives every protocol line settings and a decoder that starts empty', () => {
    for (const p of Object.values(SERIAL_PROTOCOLS)) {
      expect([9600, 19200]).toContain(p.baudRate);
      const out = p.createDecoder(opts).push(new Uint8Array());
      expect(out).toStrictEqual({ readings: [], notes: [], frames: 0, skippedBytes: 0, events: [] });
    }
  });

  it('gives a conversation to the command/response meter only', () => {
    expect(
      Object.values(SERIAL_PROTOCOLS)
        .filter((p) => p.conversation)
        .map((p) => p.name),
    ).toStrictEqual(['onetouch-ultra2']);
  });
});

describe('the continuous flag (issue 14)', () => {
  // One Nonin format-2 packet: HR 72, SpO2 97, then 22 reserved frames.
  const NONIN_PACKET = `01 83 01 00 85 01 82 01 48 CC 01 82 01 61 E5 ${'01 80 01 00 82 '.repeat(22)}`;
  const ULTRA2_DUMP =
    'P 001,"GMF600DCY","MG/DL " 05A5\r\nP "SAT","03/21/15","16:45:24   ","  081 ","N","03", 00 09B6\r\n';
  // A streaming oximeter's readings are continuous; a glucose meter's memory dump is spot checks.
  it.each([
    ['contec-cms50d-live', hex('85 40 03 48 61'), true],
    ['nonin-format2', hex(NONIN_PACKET), true],
    ['onetouch-ultra2', Buffer.from(ULTRA2_DUMP, 'latin1'), false],
  ] as const)('%s: continuous is %s', (protocol, bytes, continuous) => {
    const r = decodeSerialChunk(protocol, bytes, opts);
    expect(r.ok && r.readings.length).toBeGreaterThan(0);
    if (r.ok) for (const reading of r.readings) expect(reading.flags?.includes('continuous') ?? false).toBe(continuous);
  });
});

describe('decodeSerialChunk', () => {
  it('returns the readings of every good frame and a note counting skipped bytes', () => {
    expect(decodeSerialChunk('contec-cms50d-live', hex('85 40 03 48 61 11 22 C3 10 47 16 58'), opts)).toStrictEqual({
      ok: true,
      readings: [
        { metric: 'spo2', value: 97, unit: '%', flags: ['continuous'] },
        { metric: 'pulse_rate', value: 72, unit: '/min', flags: ['continuous'] },
        { metric: 'spo2', value: 88, unit: '%', flags: ['continuous'] },
        { metric: 'pulse_rate', value: 150, unit: '/min', flags: ['continuous'] },
      ],
      notes: ['skipped 2 corrupt or out-of-frame bytes'],
    });
  });

  it('turns status events into notes', () => {
    expect(decodeSerialChunk('contec-cms50d-live', hex('80 00 50 7F 7F'), opts)).toStrictEqual({
      ok: true,
      readings: [],
      notes: ['event finger_out {"state":"started","seconds":0}'],
    });
  });

  it('fails for an unknown protocol and names the known ones', () => {
    expect(decodeSerialChunk('acme', hex('00'), opts)).toStrictEqual({
      ok: false,
      error: 'unknown serial protocol "acme"; known: contec-cms50d-live, nonin-format2, onetouch-ultra2',
    });
  });

  it('fails when only corrupt bytes or an incomplete frame came', () => {
    expect(decodeSerialChunk('nonin-format2', hex('01 80 01 00 83 01 80'), opts)).toStrictEqual({
      ok: false,
      error: 'no complete nonin-format2 frame in 7 bytes: 3 corrupt or out of frame, 4 in an incomplete frame',
    });
    expect(decodeSerialChunk('contec-cms50d-live', hex('85 40 03'), opts)).toStrictEqual({
      ok: false,
      error: 'no complete contec-cms50d-live frame in 3 bytes: 0 corrupt or out of frame, 3 in an incomplete frame',
    });
  });

  it('fails for an empty chunk', () => {
    expect(decodeSerialChunk('onetouch-ultra2', new Uint8Array(), opts).ok).toBe(false);
  });
});
