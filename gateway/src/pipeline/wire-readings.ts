/**
 * Turns decoded values into contract Readings: stable ids, measurement time and its
 * source, device reference and group. Pure: the clock and id allocator are passed in.
 *
 * Ids: a reading whose device gave it a time stamp gets an id derived from its content
 * (device, metric, device time, value, flags), so a stored record downloaded twice, even
 * after a restart or through another gateway, is one reading. Readings without a device
 * time (live streams) get fresh counter ids from the outbox.
 */
import { createHash } from 'node:crypto';
import type { DecodedReading, DeviceRef, Reading } from '@vitals/contract';

/** Device times this far in the future of the gateway's clock are not trusted. */
export const MAX_FUTURE_MS = 10 * 60_000;
/** Device times before this are a reset clock (e.g. 2000-01-01 after a battery change). */
export const EARLIEST_PLAUSIBLE = Date.parse('2015-01-01T00:00:00Z');

export interface WireContext {
  device: DeviceRef;
  receivedAt: Date;
  /** Whether the gateway's own clock is trustworthy (synchronised). */
  gatewayClockOk: boolean;
  /**
   * The device's clock runs ahead by a known amount (see clock/device-clock.ts): its times are
   * moved by this many ms (negative) and flagged `device_clock_corrected`. Ids keep the device's time.
   */
  deviceClockCorrectionMs?: number;
  newIds(n: number): string[];
}

function contentId(device: DeviceRef, r: DecodedReading, occurrence: number): string {
  const h = createHash('sha256')
    .update([device.id, r.metric, r.time, r.value ?? '', (r.flags ?? []).join(','), occurrence].join('|'))
    .digest('base64url')
    .slice(0, 22);
  return `${device.id}:r:${h}`;
}

export function toWireReadings(decoded: DecodedReading[], ctx: WireContext): Reading[] {
  if (decoded.length === 0) return [];
  const counterIds = ctx.newIds(decoded.filter((r) => !r.time).length);
  const seen = new Map<string, number>();
  const out: Reading[] = decoded.map((d) => {
    let id: string;
    if (d.time) {
      const key = `${d.metric}|${d.time}|${(d.flags ?? []).join(',')}`;
      const k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
      id = contentId(ctx.device, d, k);
    } else id = counterIds.shift()!;

    const flags = [...(d.flags ?? [])];
    const notes: string[] = [];
    let time = ctx.receivedAt.toISOString();
    let timeSource: Reading['timeSource'] = 'gateway';
    if (d.time) {
      const t = Date.parse(d.time);
      if (t < EARLIEST_PLAUSIBLE || (ctx.gatewayClockOk && t > ctx.receivedAt.getTime() + MAX_FUTURE_MS)) {
        flags.push('device_clock_invalid');
        notes.push(`device time ${d.time} judged wrong; gateway time used`);
      } else if (ctx.deviceClockCorrectionMs) {
        time = new Date(t + ctx.deviceClockCorrectionMs).toISOString();
        timeSource = 'device';
        flags.push('device_clock_corrected');
        notes.push(`device time ${d.time} corrected by ${ctx.deviceClockCorrectionMs} ms (device clock ahead)`);
      } else {
        time = d.time;
        timeSource = 'device';
      }
    }
    if (timeSource === 'gateway' && !ctx.gatewayClockOk) flags.push('gateway_clock_unsynchronised');
    return {
      id,
      device: ctx.device,
      time,
      timeSource,
      metric: d.metric,
      ...(d.value === undefined ? {} : { value: d.value }),
      unit: d.unit,
      ...(d.source ? { source: d.source } : {}),
      ...(flags.length ? { flags } : {}),
      ...(notes.length ? { notes } : {}),
    };
  });
  // One measurement (a cuff inflation) ties its readings together.
  if (out.length > 1) for (const r of out) r.group = out[0]!.id;
  return out;
}
