/**
 * Contec CMS50D+ live packets, written from the reverse-engineered protocol notes (5 bytes,
 * bit 7 set only in byte 1; byte 3 carries pulse rate bit 7 in its bit 6). No value is sent
 * as the sentinels: pulse rate 255, SpO2 127.
 */
export interface Cms50dSample {
  /** SpO2 in %, or null for "no value" (127). */
  spo2: number | null;
  /** Pulse rate in /min, or null for "no value" (255). */
  pulseRate: number | null;
  pleth?: number;
  bargraph?: number;
  signalStrength?: number;
  pulseBeep?: boolean;
  spo2Dropping?: boolean;
  searchingTooLong?: boolean;
  /** Probe error: finger out of the probe. */
  fingerOut?: boolean;
  searching?: boolean;
}

const bit = (on: boolean | undefined, mask: number) => (on ? mask : 0);

export function encodeCms50dPacket(s: Cms50dSample): Uint8Array {
  const pr = s.pulseRate ?? 255;
  const spo2 = s.spo2 ?? 127;
  if (pr < 0 || pr > 255 || spo2 < 0 || spo2 > 127) throw new Error(`CMS50D+ cannot send PR ${pr} / SpO2 ${spo2}`);
  return new Uint8Array([
    0x80 |
      bit(s.pulseBeep, 0x40) |
      bit(s.spo2Dropping, 0x20) |
      bit(s.searchingTooLong, 0x10) |
      ((s.signalStrength ?? 8) & 0x0f),
    (s.pleth ?? 0x40) & 0x7f,
    ((pr >> 1) & 0x40) | bit(s.searching, 0x20) | bit(s.fingerOut, 0x10) | ((s.bargraph ?? 4) & 0x0f),
    pr & 0x7f,
    spo2 & 0x7f,
  ]);
}
