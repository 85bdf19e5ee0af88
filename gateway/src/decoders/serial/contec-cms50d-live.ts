/**
 * Contec CMS50D+ pulse oximeter, live stream (the 5-byte protocol of firmware before v4.6):
 * 19200 baud 8-O-1, about 60 packets per second, no command needed.
 *
 * Packets are framed only by bit 7: set in byte 1 (sync), clear in bytes 2-5. There is no
 * checksum, so a damaged packet is recognised only by its framing and by values no CMS50D+
 * can send (SpO2 above 100 %, pulse rate above 250 /min other than the sentinels).
 * A packet is taken as soon as its 5th byte arrives, and bytes with bit 7 clear after it are
 * skipped up to the next sync byte: garbage between packets then costs no good packet (the
 * contract's "good frames and corrupt bytes" case). The price: a byte inserted INSIDE a packet
 * and a byte lost in the same packet keep its length and cannot be told from a good packet;
 * only the plausibility check below catches some of those.
 * Layout from the reverse-engineered protocol notes (atbrask/CMS50Dplus, the Contec
 * "communication protocol of pulse oximeter" sheet), byte numbers 1-based as there.
 */
import type { DecodedReading } from '@vitals/contract';
import type { DecodeOptions, StreamDecoder, StreamOutput } from '../result.ts';
import { ConditionTracker } from './condition-tracker.ts';
import { emptyOutput } from './stream-output.ts';

export const CMS50D_PACKET_LENGTH = 5;
export const CMS50D_PACKETS_PER_SECOND = 60;
const SYNC_BIT = 0x80;

/** One bit field of a packet: byte index (0-based), mask, and shift to the value's bit 0. */
interface BitField {
  byte: number;
  mask: number;
  shift: number;
}

/** The packet layout as data; `pulseRateHigh` is pulse rate bit 7, carried in byte 3. */
export const CMS50D_FIELDS = {
  signalStrength: { byte: 0, mask: 0x0f, shift: 0 },
  searchingTooLong: { byte: 0, mask: 0x10, shift: 4 },
  spo2Dropping: { byte: 0, mask: 0x20, shift: 5 },
  pulseBeep: { byte: 0, mask: 0x40, shift: 6 },
  pleth: { byte: 1, mask: 0x7f, shift: 0 },
  bargraph: { byte: 2, mask: 0x0f, shift: 0 },
  probeError: { byte: 2, mask: 0x10, shift: 4 },
  searching: { byte: 2, mask: 0x20, shift: 5 },
  pulseRateHigh: { byte: 2, mask: 0x40, shift: 6 },
  pulseRateLow: { byte: 3, mask: 0x7f, shift: 0 },
  spo2: { byte: 4, mask: 0x7f, shift: 0 },
} as const satisfies Record<string, BitField>;

/** "No value" sentinels: pulse rate 255 (all 8 bits set) and SpO2 127. */
export const CMS50D_NO_PULSE_RATE = 255;
export const CMS50D_NO_SPO2 = 127;
const MAX_PULSE_RATE = 250;

export interface Cms50dPacket {
  signalStrength: number;
  searchingTooLong: boolean;
  spo2Dropping: boolean;
  pulseBeep: boolean;
  pleth: number;
  bargraph: number;
  probeError: boolean;
  searching: boolean;
  /** 0-255; 255 means no value. */
  pulseRate: number;
  /** 0-127; 127 means no value. */
  spo2: number;
}

const read = (p: Uint8Array | number[], f: BitField): number => ((p[f.byte] ?? 0) & f.mask) >> f.shift;

/** Reads the fields of one framed packet (5 bytes, sync bit only in the first). */
export function parseCms50dPacket(p: Uint8Array | number[]): Cms50dPacket {
  const F = CMS50D_FIELDS;
  return {
    signalStrength: read(p, F.signalStrength),
    searchingTooLong: read(p, F.searchingTooLong) === 1,
    spo2Dropping: read(p, F.spo2Dropping) === 1,
    pulseBeep: read(p, F.pulseBeep) === 1,
    pleth: read(p, F.pleth),
    bargraph: read(p, F.bargraph),
    probeError: read(p, F.probeError) === 1,
    searching: read(p, F.searching) === 1,
    pulseRate: (read(p, F.pulseRateHigh) << 7) | read(p, F.pulseRateLow),
    spo2: read(p, F.spo2),
  };
}

/** Why a well-framed packet is still not trusted, or null. */
function implausible(p: Cms50dPacket): string | null {
  if (p.spo2 > 100 && p.spo2 !== CMS50D_NO_SPO2) return `SpO2 ${p.spo2} is above 100 %`;
  if (p.pulseRate > MAX_PULSE_RATE && p.pulseRate !== CMS50D_NO_PULSE_RATE)
    return `pulse rate ${p.pulseRate} is above the device's ${MAX_PULSE_RATE} /min`;
  return null;
}

/**
 * Streaming decoder. Readings: `spo2` and `pulse_rate` of every complete, plausible packet
 * without finger-out (probe error) or searching status; a value of 0 or the sentinel gives no
 * reading for that metric. Events (`finger_out`, `searching`, `searching_too_long`) follow
 * ConditionTracker: started / every 30 s / ended.
 */
export class Cms50dLiveDecoder implements StreamDecoder {
  private packet: number[] = [];
  private conditions = new ConditionTracker(CMS50D_PACKETS_PER_SECOND);

  constructor(readonly opts: DecodeOptions) {}

  push(chunk: Uint8Array): StreamOutput {
    const out = emptyOutput();
    for (const byte of chunk) {
      if (byte & SYNC_BIT) {
        // A sync byte before the packet was complete: the partial packet lost bytes.
        out.skippedBytes += this.packet.length;
        this.packet = [byte];
      } else if (this.packet.length === 0) {
        out.skippedBytes += 1;
      } else {
        this.packet.push(byte);
        if (this.packet.length === CMS50D_PACKET_LENGTH) {
          this.onPacket(this.packet, out);
          this.packet = [];
        }
      }
    }
    return out;
  }

  end(): StreamOutput {
    const out = emptyOutput();
    if (this.packet.length > 0)
      out.notes.push(
        `${this.packet.length} bytes at the end form an incomplete packet of ${CMS50D_PACKET_LENGTH} bytes`,
      );
    this.packet = [];
    this.conditions = new ConditionTracker(CMS50D_PACKETS_PER_SECOND);
    return out;
  }

  private onPacket(bytes: number[], out: StreamOutput): void {
    const p = parseCms50dPacket(bytes);
    const problem = implausible(p);
    if (problem) {
      out.skippedBytes += bytes.length;
      out.notes.push(`dropped a damaged packet: ${problem}`);
      return;
    }
    out.frames += 1;
    this.conditions.observe('finger_out', p.probeError, 1, out.events);
    this.conditions.observe('searching', p.searching, 1, out.events);
    this.conditions.observe('searching_too_long', p.searchingTooLong, 1, out.events);
    if (p.probeError || p.searching) return;
    out.readings.push(...cms50dReadings(p));
  }
}

export function cms50dReadings(p: Cms50dPacket): DecodedReading[] {
  const readings: DecodedReading[] = [];
  if (p.spo2 !== CMS50D_NO_SPO2 && p.spo2 > 0)
    readings.push({ metric: 'spo2', value: p.spo2, unit: '%', flags: ['continuous'] });
  if (p.pulseRate !== CMS50D_NO_PULSE_RATE && p.pulseRate > 0)
    readings.push({ metric: 'pulse_rate', value: p.pulseRate, unit: '/min', flags: ['continuous'] });
  return readings;
}

export function createCms50dLiveDecoder(opts: DecodeOptions): StreamDecoder {
  return new Cms50dLiveDecoder(opts);
}
