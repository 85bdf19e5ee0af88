/**
 * Judges a device's clock from what it sends: a time stamp cannot be later than the moment
 * the value arrived, so the newest device time of a frame compared with the (synchronised)
 * arrival time shows a clock that runs ahead. Ahead by a little (drift): the device's times
 * are corrected by that amount and flagged. Ahead by more than MAX_FUTURE_MS, or before
 * EARLIEST_PLAUSIBLE (a clock reset to 2000 after a battery change): the time is not used
 * at all (toWireReadings stamps the arrival time and flags `device_clock_invalid`).
 *
 * A clock that runs behind cannot be told apart from a stored record downloaded later, so
 * it is not corrected; it is reported when a frame's newest time is far behind yet marked
 * live by the caller.
 */

/** A device clock ahead of the arrival time by more than this is drifting (not just transfer latency). */
export const DRIFT_TOLERANCE_MS = 60_000;
export const DEVICE_CLOCK_MAX_FUTURE_MS = 10 * 60_000;
/** Device times before this are a reset clock. */
export const DEVICE_CLOCK_EARLIEST = Date.parse('2015-01-01T00:00:00Z');

export type DeviceClockVerdict =
  | { kind: 'ok' }
  | { kind: 'drift'; correctionMs: number }
  | { kind: 'invalid'; reason: 'before_2015' | 'far_future' };

export interface DeviceClockChange {
  device: string;
  from: DeviceClockVerdict['kind'];
  to: DeviceClockVerdict['kind'];
  aheadMs: number;
}

/**
 * Pure judgement of one frame: `deviceTimes` are the parsed device times in it (ms), arrival
 * is when it arrived by a synchronised gateway clock (undefined when the gateway clock is not
 * synchronised: then only the reset floor can be judged).
 */
export function judgeDeviceClock(deviceTimes: number[], arrivalMs: number | undefined): DeviceClockVerdict {
  if (deviceTimes.length === 0) return { kind: 'ok' };
  const newest = Math.max(...deviceTimes);
  const oldest = Math.min(...deviceTimes);
  if (oldest < DEVICE_CLOCK_EARLIEST) return { kind: 'invalid', reason: 'before_2015' };
  if (arrivalMs === undefined) return { kind: 'ok' };
  const ahead = newest - arrivalMs;
  if (ahead > DEVICE_CLOCK_MAX_FUTURE_MS) return { kind: 'invalid', reason: 'far_future' };
  if (ahead > DRIFT_TOLERANCE_MS) return { kind: 'drift', correctionMs: -ahead };
  return { kind: 'ok' };
}

/** Remembers each device's last verdict, so that a change is reported once, not per frame. */
export class DeviceClockTracker {
  private readonly last = new Map<string, DeviceClockVerdict>();

  observe(
    device: string,
    deviceTimes: number[],
    arrivalMs: number | undefined,
  ): {
    verdict: DeviceClockVerdict;
    change?: DeviceClockChange;
  } {
    const verdict = judgeDeviceClock(deviceTimes, arrivalMs);
    if (deviceTimes.length === 0) return { verdict };
    const prev = this.last.get(device) ?? { kind: 'ok' };
    this.last.set(device, verdict);
    const aheadMs = arrivalMs === undefined ? 0 : Math.max(...deviceTimes) - arrivalMs;
    // A drift that grew by more than the tolerance is a change worth reporting as well.
    const driftMoved =
      prev.kind === 'drift' &&
      verdict.kind === 'drift' &&
      Math.abs(prev.correctionMs - verdict.correctionMs) > DRIFT_TOLERANCE_MS;
    if (prev.kind !== verdict.kind || driftMoved)
      return { verdict, change: { device, from: prev.kind, to: verdict.kind, aheadMs } };
    return { verdict };
  }

  forget(device: string): void {
    this.last.delete(device);
  }
}
