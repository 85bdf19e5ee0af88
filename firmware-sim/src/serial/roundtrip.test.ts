/**
 * Simulator encoders against the gateway's decoders: decoder(encoder(x)) == x. The simulator
 * code never imports the gateway; only this test joins the two.
 */
import { describe, expect, it } from 'vitest';
import { SERIAL_PROTOCOLS } from '../../../gateway/src/decoders/serial/index.ts';
import { encodeCms50dPacket } from './cms50d.ts';
import { ByteCorruptor } from './corruption.ts';
import { encodeNoninPacket } from './nonin.ts';
import { meterChecksum, OneTouchUltra2Meter } from './onetouch-ultra2-meter.ts';

const decode = (protocol: string, bytes: Uint8Array, tz = 'UTC') => {
  const d = SERIAL_PROTOCOLS[protocol]!.createDecoder({ tz });
  const a = d.push(bytes);
  const b = d.end();
  return {
    readings: [...a.readings, ...b.readings],
    events: [...a.events, ...b.events],
    notes: [...a.notes, ...b.notes],
    skippedBytes: a.skippedBytes + b.skippedBytes,
  };
};

describe('CMS50D+ encoder round trip', () => {
  it('decodes every SpO2 0-100 and pulse rate 1-250 it encodes', () => {
    for (let spo2 = 1; spo2 <= 100; spo2 += 3) {
      for (let pr = 1; pr <= 250; pr += 7) {
        const out = decode('contec-cms50d-live', encodeCms50dPacket({ spo2, pulseRate: pr, pleth: pr % 128 }));
        expect(out.readings).toStrictEqual([
          { metric: 'spo2', value: spo2, unit: '%', flags: ['continuous'] },
          { metric: 'pulse_rate', value: pr, unit: '/min', flags: ['continuous'] },
        ]);
      }
    }
  });

  it('encodes no value as the sentinels, which decode to no reading', () => {
    expect([...encodeCms50dPacket({ spo2: null, pulseRate: null })].slice(2)).toStrictEqual([0x44, 0x7f, 0x7f]);
    expect(decode('contec-cms50d-live', encodeCms50dPacket({ spo2: null, pulseRate: null })).readings).toStrictEqual(
      [],
    );
  });

  it('encodes finger out so the decoder reports it', () => {
    const out = decode('contec-cms50d-live', encodeCms50dPacket({ spo2: null, pulseRate: null, fingerOut: true }));
    expect(out.events.map((e) => e.type)).toStrictEqual(['finger_out']);
  });

  it('loses exactly the damaged packets when every 50th byte is dropped', () => {
    const corruptor = new ByteCorruptor({ dropEvery: 50 });
    const packets = Array.from({ length: 100 }, (_, i) =>
      encodeCms50dPacket({ spo2: 90 + (i % 10), pulseRate: 60 + i }),
    );
    const out = decode('contec-cms50d-live', corruptor.apply(new Uint8Array(Buffer.concat(packets))));
    // Byte 50k is the last byte of packet 10k-1: ten packets lose their SpO2 byte.
    expect(out.readings.filter((r) => r.metric === 'pulse_rate')).toHaveLength(90);
    expect(out.skippedBytes).toBe(9 * 4);
  });
});

describe('Nonin format #2 encoder round trip', () => {
  it('decodes the standard values and extended values of packets it encodes', () => {
    for (const [hr, spo2] of [
      [18, 70],
      [72, 97],
      [300, 100],
      [321, 85],
    ] as const) {
      const out = decode('nonin-format2', encodeNoninPacket({ hr, spo2, eHr: hr + 1, spo2D: spo2 - 1 }));
      expect(out.readings).toStrictEqual([
        { metric: 'spo2', value: spo2, unit: '%', flags: ['continuous'] },
        { metric: 'pulse_rate', value: hr, unit: '/min', flags: ['continuous'] },
      ]);
      expect(out.notes).toStrictEqual([
        `packet extended values: SpO2-D ${spo2 - 1}, SpO2 Fast ${spo2}, SpO2 B-B ${spo2}, E-SpO2 ${spo2}, E-SpO2-D ${spo2}, HR-D ${hr}, E-HR ${hr + 1}, E-HR-D ${hr}`,
      ]);
    }
  });

  it('round-trips status bits into flags and events', () => {
    const flagged = decode(
      'nonin-format2',
      encodeNoninPacket({ hr: 80, spo2: 95, perfusion: 'yellow', artifact: true }),
    );
    expect(flagged.readings.map((r) => r.flags)).toStrictEqual([
      ['continuous', 'marginal_perfusion', 'artifact'],
      ['continuous', 'marginal_perfusion', 'artifact'],
    ]);
    const alarm = decode('nonin-format2', encodeNoninPacket({ hr: null, spo2: null, sensorAlarm: true }));
    expect(alarm.readings).toStrictEqual([]);
    expect(alarm.events.map((e) => e.type)).toStrictEqual(['sensor_alarm']);
  });
});

describe('OneTouch Ultra 2 meter round trip', () => {
  const records = [
    { time: { year: 2026, month: 11, day: 24, hours: 7, minutes: 30, seconds: 0 }, mgdl: 99, meal: 'B' as const },
    { time: { year: 2026, month: 11, day: 24, hours: 8, minutes: 0, seconds: 0 }, mgdl: 105, control: true },
    { time: { year: 2026, month: 11, day: 23, hours: 21, minutes: 15, seconds: 0 }, mgdl: 250, meal: 'A' as const },
  ];

  it('dumps its records newest first with checksums the decoder accepts', () => {
    const meter = new OneTouchUltra2Meter({ records, tz: 'Asia/Tokyo' });
    const answer = meter.receive(new Uint8Array(Buffer.from('\x11\rDMP\r', 'latin1')));
    const out = decode('onetouch-ultra2', answer, 'Asia/Tokyo');
    expect(out.skippedBytes).toBe(0);
    expect(out.readings).toStrictEqual([
      { metric: 'glucose', value: 105, unit: 'mg/dL', time: '2026-11-23T23:00:00.000Z', flags: ['control_solution'] },
      { metric: 'glucose', value: 99, unit: 'mg/dL', time: '2026-11-23T22:30:00.000Z', flags: ['before_meal'] },
      { metric: 'glucose', value: 250, unit: 'mg/dL', time: '2026-11-23T12:15:00.000Z', flags: ['after_meal'] },
    ]);
  });

  it('keeps mmol/L in source when it displays mmol/L', () => {
    const meter = new OneTouchUltra2Meter({ records: records.slice(0, 1), unit: 'mmol/L' });
    const out = decode('onetouch-ultra2', meter.receive(new Uint8Array(Buffer.from('\x11\rDMP\r', 'latin1'))));
    expect(out.readings[0]!.source).toStrictEqual({ value: 5.5, unit: 'mmol/L' });
  });

  it('answers DMF with its wrong clock and DMT by setting it', () => {
    const now = Date.UTC(2026, 10, 24, 9, 0, 0);
    const meter = new OneTouchUltra2Meter({ clockErrorMs: -3_600_000, now: () => now });
    const clock = Buffer.from(meter.receive(new Uint8Array(Buffer.from('\x11\rDMF\r', 'latin1')))).toString('latin1');
    expect(clock).toBe(`F "TUE","11/24/26","08:00:00   " ${meterChecksum('F "TUE","11/24/26","08:00:00   "')}\r\n`);
    const set = Buffer.from(
      meter.receive(new Uint8Array(Buffer.from('\x11\rDMT11/24/26 09:00:00\r', 'latin1'))),
    ).toString('latin1');
    expect(set).toBe('T "TUE","11/24/26","09:00:00   " 0611\r\n');
    expect(meter.clockErrorMs).toBe(0);
  });
});
