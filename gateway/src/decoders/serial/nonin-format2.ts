/**
 * Nonin OEM III module / Xpod, serial data format #2: 9600 baud 8-N-1, 75 frames per second.
 *
 * Frame (5 bytes): START (always 0x01), STATUS (bit 7 always set), PLETH, DATA, CHK where
 * CHK = (START + STATUS + PLETH + DATA) mod 256. 25 frames make a packet (3 per second); the
 * first frame of a packet has the SYNC bit set in STATUS. DATA rotates over the frames of a
 * packet as the Nonin OEM III specification's data format #2 table lists (see NONIN_PACKET_DATA).
 * Heart rates are 9 bits: bits 7-8 in the MSB frame's bits 0-1, bits 0-6 in the LSB frame.
 * Missing data markers: heart rate 511, SpO2 127.
 */
import type { DecodedReading } from '@vitals/contract';
import type { DecodeOptions, StreamDecoder, StreamOutput } from '../result.ts';
import { ConditionTracker } from './condition-tracker.ts';
import { emptyOutput } from './stream-output.ts';

export const NONIN_FRAME_LENGTH = 5;
export const NONIN_FRAMES_PER_PACKET = 25;
export const NONIN_FRAMES_PER_SECOND = 75;
export const NONIN_START_BYTE = 0x01;
export const NONIN_MISSING_HR = 511;
export const NONIN_MISSING_SPO2 = 127;
/** The OEM III reports heart rates of 18-321 /min; a larger value that is not 511 is damage. */
const MAX_HEART_RATE = 321;

/** STATUS byte bits (data format #2). Yellow perfusion is RPRF and GPRF both set. */
export const NONIN_STATUS = {
  ALWAYS_SET: 0x80,
  SNSD: 0x40, // sensor disconnected or inoperable
  ARTF: 0x20, // artifact detected in the pulse
  OOT: 0x10, // out of track: no consecutive good pulse signals
  SNSA: 0x08, // sensor alarm: the sensor gives unusable data
  RPRF: 0x04, // red perfusion: low pulse amplitude
  GPRF: 0x02, // green perfusion: high pulse amplitude
  SYNC: 0x01, // first frame of a packet
} as const;

/** What the DATA byte of each frame of a packet (0-based index) carries. */
export const NONIN_PACKET_DATA = [
  'HR_MSB',
  'HR_LSB',
  'SPO2',
  'SREV',
  'reserved',
  'reserved',
  'reserved',
  'STAT2',
  'SPO2_D',
  'SPO2_FAST',
  'SPO2_BB',
  'reserved',
  'reserved',
  'E_HR_MSB',
  'E_HR_LSB',
  'E_SPO2',
  'E_SPO2_D',
  'reserved',
  'reserved',
  'HR_D_MSB',
  'HR_D_LSB',
  'E_HR_D_MSB',
  'E_HR_D_LSB',
  'reserved',
  'reserved',
] as const;

export type NoninDataField = (typeof NONIN_PACKET_DATA)[number];

export type NoninPerfusion = 'green' | 'yellow' | 'red' | 'none';

export function noninPerfusion(status: number): NoninPerfusion {
  const red = (status & NONIN_STATUS.RPRF) !== 0;
  const green = (status & NONIN_STATUS.GPRF) !== 0;
  if (red && green) return 'yellow';
  if (red) return 'red';
  if (green) return 'green';
  return 'none';
}

export const noninChecksum = (start: number, status: number, pleth: number, data: number): number =>
  (start + status + pleth + data) & 0xff;

/** The 9-bit heart rate of an MSB/LSB frame pair. */
export const noninHeartRate = (msb: number, lsb: number): number => ((msb & 0x03) << 7) | (lsb & 0x7f);

/** The extended / display / beat-to-beat values of a whole packet, missing markers kept. */
export interface NoninPacketValues {
  hr: number;
  spo2: number;
  spo2D: number;
  spo2Fast: number;
  spo2BB: number;
  eHr: number;
  eSpo2: number;
  eSpo2D: number;
  hrD: number;
  eHrD: number;
}

export function noninPacketValues(data: readonly number[]): NoninPacketValues {
  const at = (field: NoninDataField): number => data[NONIN_PACKET_DATA.indexOf(field)] ?? 0;
  const spo2 = (field: NoninDataField): number => at(field) & 0x7f;
  return {
    hr: noninHeartRate(at('HR_MSB'), at('HR_LSB')),
    spo2: spo2('SPO2'),
    spo2D: spo2('SPO2_D'),
    spo2Fast: spo2('SPO2_FAST'),
    spo2BB: spo2('SPO2_BB'),
    eHr: noninHeartRate(at('E_HR_MSB'), at('E_HR_LSB')),
    eSpo2: spo2('E_SPO2'),
    eSpo2D: spo2('E_SPO2_D'),
    hrD: noninHeartRate(at('HR_D_MSB'), at('HR_D_LSB')),
    eHrD: noninHeartRate(at('E_HR_D_MSB'), at('E_HR_D_LSB')),
  };
}

/** Note text for the non-standard values of a packet: "SpO2-D 97, ..., E-HR-D 72" (missing as "-"). */
export function noninExtendedNote(v: NoninPacketValues): string {
  const s = (x: number) => (x === NONIN_MISSING_SPO2 ? '-' : String(x));
  const h = (x: number) => (x === NONIN_MISSING_HR ? '-' : String(x));
  return (
    `packet extended values: SpO2-D ${s(v.spo2D)}, SpO2 Fast ${s(v.spo2Fast)}, SpO2 B-B ${s(v.spo2BB)}, ` +
    `E-SpO2 ${s(v.eSpo2)}, E-SpO2-D ${s(v.eSpo2D)}, HR-D ${h(v.hrD)}, E-HR ${h(v.eHr)}, E-HR-D ${h(v.eHrD)}`
  );
}

interface PacketInProgress {
  data: number[];
  status: number[];
}

/**
 * Streaming decoder. Standard (4-beat average) HR and SpO2 are published when all 25 frames of
 * a packet arrived intact and in sequence, with one note of the extended values. A packet is
 * abandoned, and yields nothing, when bytes are lost inside it or the next SYNC frame comes
 * early (whole frames lost): frame positions are then unknown, so even values decoded from its
 * first frames cannot be trusted to be what they seem. The decoder waits for the next SYNC frame;
 * frames outside a packet are counted, not decoded. Waiting for the whole packet costs a third
 * of a second.
 *
 * Flags: `low_perfusion` (red), `marginal_perfusion` (yellow), `artifact` (ARTF),
 * `out_of_track` (OOT, values present). Events: `sensor_disconnected` (SNSD), `sensor_alarm`
 * (SNSA), `out_of_track` (OOT), `searching` (HR and SpO2 both missing without SNSD/SNSA).
 */
export class NoninFormat2Decoder implements StreamDecoder {
  private pending: number[] = [];
  private packet: PacketInProgress | null = null;
  private lostBytesSinceFrame = false;
  private framesOutsidePacket = 0;
  private conditions = new ConditionTracker(NONIN_FRAMES_PER_SECOND);

  constructor(readonly opts: DecodeOptions) {}

  push(chunk: Uint8Array): StreamOutput {
    const out = emptyOutput();
    for (const b of chunk) this.pending.push(b);
    let i = 0;
    while (this.pending.length - i >= NONIN_FRAME_LENGTH) {
      const [start, status, pleth, data, chk] = this.pending.slice(i, i + NONIN_FRAME_LENGTH) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const valid =
        start === NONIN_START_BYTE &&
        (status & NONIN_STATUS.ALWAYS_SET) !== 0 &&
        noninChecksum(start, status, pleth, data) === chk;
      if (!valid) {
        out.skippedBytes += 1;
        this.lostBytesSinceFrame = true;
        i += 1;
        continue;
      }
      out.frames += 1;
      this.onFrame(status, data, out);
      i += NONIN_FRAME_LENGTH;
    }
    this.pending = this.pending.slice(i);
    return out;
  }

  end(): StreamOutput {
    const out = emptyOutput();
    this.noteFramesOutside(out);
    if (this.packet)
      out.notes.push(`incomplete packet at the end: ${this.packet.data.length} of 25 frames; its values are dropped`);
    if (this.pending.length > 0)
      out.notes.push(`${this.pending.length} bytes at the end form an incomplete frame of ${NONIN_FRAME_LENGTH} bytes`);
    this.pending = [];
    this.packet = null;
    this.lostBytesSinceFrame = false;
    this.conditions = new ConditionTracker(NONIN_FRAMES_PER_SECOND);
    return out;
  }

  private onFrame(status: number, data: number, out: StreamOutput): void {
    const lost = this.lostBytesSinceFrame;
    this.lostBytesSinceFrame = false;
    this.conditions.observe('sensor_disconnected', (status & NONIN_STATUS.SNSD) !== 0, 1, out.events);
    this.conditions.observe('sensor_alarm', (status & NONIN_STATUS.SNSA) !== 0, 1, out.events);
    this.conditions.observe('out_of_track', (status & NONIN_STATUS.OOT) !== 0, 1, out.events);

    if (status & NONIN_STATUS.SYNC) {
      this.noteFramesOutside(out);
      if (this.packet)
        out.notes.push(
          `packet cut short: ${this.packet.data.length} of 25 frames before the next SYNC frame; its values are dropped`,
        );
      this.packet = { data: [data], status: [status] };
      return;
    }
    if (!this.packet) {
      this.framesOutsidePacket += 1;
      return;
    }
    if (lost) {
      // Bytes went missing inside the packet: the rotation position of this frame is unknown.
      out.notes.push(
        `packet abandoned after ${this.packet.data.length} frames: bytes lost inside it; its values are dropped`,
      );
      this.packet = null;
      this.framesOutsidePacket += 1;
      return;
    }
    this.packet.data.push(data);
    this.packet.status.push(status);
    if (this.packet.data.length === NONIN_FRAMES_PER_PACKET) {
      this.onStandardValues(this.packet, out);
      out.notes.push(noninExtendedNote(noninPacketValues(this.packet.data)));
      this.packet = null;
    }
  }

  private onStandardValues(p: PacketInProgress, out: StreamOutput): void {
    const statuses = p.status.slice(0, 3);
    const any = (bit: number) => statuses.some((s) => (s & bit) !== 0);
    const hr = noninHeartRate(p.data[0]!, p.data[1]!);
    const spo2 = p.data[2]! & 0x7f;
    const noSensor = any(NONIN_STATUS.SNSD) || any(NONIN_STATUS.SNSA);
    const missing = hr === NONIN_MISSING_HR && spo2 === NONIN_MISSING_SPO2;
    this.conditions.observe('searching', !noSensor && missing, NONIN_FRAMES_PER_PACKET, out.events);
    if (noSensor) return;

    const flags: string[] = ['continuous'];
    const perfusion = statuses.map(noninPerfusion);
    if (perfusion.includes('red')) flags.push('low_perfusion');
    else if (perfusion.includes('yellow')) flags.push('marginal_perfusion');
    if (any(NONIN_STATUS.ARTF)) flags.push('artifact');
    if (any(NONIN_STATUS.OOT)) flags.push('out_of_track');
    const withFlags = (r: DecodedReading): DecodedReading => ({ ...r, flags: [...flags] });

    if (spo2 !== NONIN_MISSING_SPO2) {
      if (spo2 > 100) out.notes.push(`dropped SpO2 ${spo2}: above 100 % and not the missing marker 127`);
      else out.readings.push(withFlags({ metric: 'spo2', value: spo2, unit: '%' }));
    }
    if (hr !== NONIN_MISSING_HR) {
      if (hr > MAX_HEART_RATE) out.notes.push(`dropped heart rate ${hr}: above ${MAX_HEART_RATE} and not 511`);
      else out.readings.push(withFlags({ metric: 'pulse_rate', value: hr, unit: '/min' }));
    }
  }

  private noteFramesOutside(out: StreamOutput): void {
    if (this.framesOutsidePacket === 0) return;
    out.notes.push(`ignored ${this.framesOutsidePacket} intact frames outside a packet (no SYNC frame before them)`);
    this.framesOutsidePacket = 0;
  }
}

export function createNoninFormat2Decoder(opts: DecodeOptions): StreamDecoder {
  return new NoninFormat2Decoder(opts);
}
