/**
 * The time alert timers run on. Rules themselves use measurement time; escalation delays,
 * schedules, offline windows and retries use this clock, so tests can move it.
 */
import { readFileSync } from 'node:fs';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string | number) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date | string | number): void {
    this.t = new Date(t).getTime();
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

/**
 * Reads the current time from a file holding an ISO time (VITALS_ALERT_CLOCK_FILE), for
 * end-to-end tests that move time across a real server process. Never set in production.
 */
export function fileClock(path: string): Clock {
  return {
    now() {
      const t = Date.parse(readFileSync(path, 'utf8').trim());
      if (Number.isNaN(t)) throw new Error(`VITALS_ALERT_CLOCK_FILE ${path} must hold an ISO 8601 time`);
      return new Date(t);
    },
  };
}

/** The clock the settings name: the file clock of end-to-end tests, else the system clock. */
export function alertClock(config: { alertClockFile?: string }): Clock {
  return config.alertClockFile ? fileClock(config.alertClockFile) : systemClock;
}
