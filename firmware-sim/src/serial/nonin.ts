/**
 * Nonin OEM III serial data format #2, written from the specification: 5-byte frames
 * (01, STATUS, PLETH, DATA, sum mod 256), 25-frame packets whose first frame has SYNC, the
 * DATA byte rotating through HR MSB/LSB, SpO2, SREV, ..., E-HR-D as the table lists.
 */
export interface NoninStatus {
  sensorDisconnected?: boolean;
  artifact?: boolean;
  outOfTrack?: boolean;
  sensorAlarm?: boolean;
  perfusion?: 'green' | 'yellow' | 'red' | 'none';
}

/** One packet's values; null is the missing marker (HR 511, SpO2 127). Unset extended values repeat the standard ones. */
export interface NoninPacketSample extends NoninStatus {
  hr: number | null;
  spo2: number | null;
  spo2D?: number | null;
  spo2Fast?: number | null;
  spo2BB?: number | null;
  eHr?: number | null;
  eSpo2?: number | null;
  eSpo2D?: number | null;
  hrD?: number | null;
  eHrD?: number | null;
  revision?: number;
  /** Pleth of frame i (0-24); a slow wave by default. */
  pleth?: (frame: number) => number;
}

const PERFUSION_BITS = { green: 0x02, red: 0x04, yellow: 0x06, none: 0 } as const;

export function noninStatusByte(s: NoninStatus, sync: boolean): number {
  return (
    0x80 |
    (s.sensorDisconnected ? 0x40 : 0) |
    (s.artifact ? 0x20 : 0) |
    (s.outOfTrack ? 0x10 : 0) |
    (s.sensorAlarm ? 0x08 : 0) |
    PERFUSION_BITS[s.perfusion ?? 'none'] |
    (sync ? 0x01 : 0)
  );
}

export function encodeNoninFrame(status: number, pleth: number, data: number): Uint8Array {
  return new Uint8Array([0x01, status, pleth, data, (0x01 + status + pleth + data) & 0xff]);
}

const hrBytes = (hr: number | null): [number, number] => {
  const v = hr ?? 511;
  return [(v >> 7) & 0x03, v & 0x7f];
};
const spo2Byte = (v: number | null) => (v ?? 127) & 0x7f;

export function encodeNoninPacket(s: NoninPacketSample): Uint8Array {
  const pick = <T>(v: T | undefined, fallback: T): T => (v === undefined ? fallback : v);
  const [hrMsb, hrLsb] = hrBytes(s.hr);
  const [eHrMsb, eHrLsb] = hrBytes(pick(s.eHr, s.hr));
  const [hrDMsb, hrDLsb] = hrBytes(pick(s.hrD, s.hr));
  const [eHrDMsb, eHrDLsb] = hrBytes(pick(s.eHrD, s.hr));
  const data = [
    hrMsb,
    hrLsb,
    spo2Byte(s.spo2),
    s.revision ?? 0x30,
    0,
    0,
    0,
    0,
    spo2Byte(pick(s.spo2D, s.spo2)),
    spo2Byte(pick(s.spo2Fast, s.spo2)),
    spo2Byte(pick(s.spo2BB, s.spo2)),
    0,
    0,
    eHrMsb,
    eHrLsb,
    spo2Byte(pick(s.eSpo2, s.spo2)),
    spo2Byte(pick(s.eSpo2D, s.spo2)),
    0,
    0,
    hrDMsb,
    hrDLsb,
    eHrDMsb,
    eHrDLsb,
    0,
    0,
  ];
  const pleth = s.pleth ?? ((i: number) => 0x40 + Math.round(30 * Math.sin((i / 25) * 2 * Math.PI)));
  const frames = data.map((d, i) => encodeNoninFrame(noninStatusByte(s, i === 0), pleth(i) & 0xff, d));
  return new Uint8Array(Buffer.concat(frames));
}
