/**
 * The gateway's own clock. A Raspberry Pi has no RTC: after boot the wall clock starts at
 * the last saved time (fake-hwclock) or 1970 until NTP answers. Readings stamped meanwhile
 * are marked, held back, and re-stamped once the clock is synchronised, using the
 * monotonic clock (CLOCK_MONOTONIC counts from boot and does not jump when NTP sets the
 * wall clock, so `wall = monotonic + offset` holds for the whole boot).
 *
 * Synchronised means: the system says so (timedatectl NTPSynchronized, where available)
 * and the wall clock is not before a sanity floor (the build date). Where the system cannot
 * say (no systemd), the floor alone decides.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** true/false when the system knows whether its clock is synchronised, undefined when it cannot say. */
export type ClockSyncProbe = () => Promise<boolean | undefined>;

/** No gateway built after this can believe an earlier wall clock. Raise it with each release. */
export const GATEWAY_CLOCK_FLOOR = Date.parse('2026-11-01T00:00:00Z');

export interface ClockStamp {
  /** Wall clock, ms since the epoch (maybe wrong when !synced). */
  wall: number;
  /** Monotonic clock, ms since boot. */
  mono: number;
  synced: boolean;
}

export interface GatewayClockOptions {
  probe?: ClockSyncProbe;
  now?: () => number;
  monotonic?: () => number;
  floor?: number;
  /** How often to ask the system while unsynchronised (and, slowly, afterwards). */
  pollMs?: number;
  bootId?: string;
}

export interface ClockSyncedEvent {
  bootId: string;
  /** wall = mono + offsetMs from now on. */
  offsetMs: number;
  /** How far the wall clock was wrong when it was last read unsynchronised (estimate). */
  stepMs: number;
  /** False for the first check after start when the clock was fine all along. */
  wasUnsynchronised: boolean;
}

/** `timedatectl show -p NTPSynchronized --value` → yes/no; anything else: cannot say. */
export const timedatectlProbe: ClockSyncProbe = () =>
  new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3000 }, (err, stdout) => {
      if (err) return resolve(undefined);
      const v = stdout.trim();
      resolve(v === 'yes' ? true : v === 'no' ? false : undefined);
    });
  });

export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

/** The kernel's id of this boot (monotonic times are comparable only within one boot). */
export function systemBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `process-${process.pid}-${Date.now()}`;
  }
}

export class GatewayClock {
  private readonly probe: ClockSyncProbe;
  private readonly now: () => number;
  private readonly mono: () => number;
  private readonly floor: number;
  private readonly pollMs: number;
  readonly bootId: string;
  private systemSays: boolean | undefined;
  private isSynced: boolean;
  private lastUnsynced: ClockStamp | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners: ((e: ClockSyncedEvent) => void)[] = [];

  constructor(o: GatewayClockOptions = {}) {
    this.probe = o.probe ?? timedatectlProbe;
    this.now = o.now ?? Date.now;
    this.mono = o.monotonic ?? monotonicMs;
    this.floor = o.floor ?? GATEWAY_CLOCK_FLOOR;
    this.pollMs = o.pollMs ?? 5_000;
    this.bootId = o.bootId ?? systemBootId();
    // Until the system answered, only the floor can be judged: below it is surely wrong.
    this.isSynced = false;
  }

  /** Asks the system once; resolves with the new state and fires `onSync` on a transition. */
  async check(): Promise<boolean> {
    this.systemSays = await this.probe().catch(() => undefined);
    return this.evaluate();
  }

  private evaluate(): boolean {
    const wall = this.now();
    const ok = wall >= this.floor && this.systemSays !== false;
    if (!ok) {
      this.isSynced = false;
      this.lastUnsynced = { wall, mono: this.mono(), synced: false };
      return false;
    }
    if (!this.isSynced) {
      this.isSynced = true;
      const mono = this.mono();
      const offsetMs = wall - mono;
      const stepMs = this.lastUnsynced ? offsetMs - (this.lastUnsynced.wall - this.lastUnsynced.mono) : 0;
      const e: ClockSyncedEvent = {
        bootId: this.bootId,
        offsetMs,
        stepMs,
        wasUnsynchronised: this.lastUnsynced !== undefined,
      };
      for (const l of this.listeners) l(e);
    }
    return true;
  }

  synced(): boolean {
    // The floor is checked on every call: a clock set back below it is wrong at once.
    if (this.isSynced && this.now() < this.floor) this.evaluate();
    return this.isSynced;
  }

  stamp(): ClockStamp {
    return { wall: this.now(), mono: this.mono(), synced: this.synced() };
  }

  /** Called on every unsynchronised → synchronised transition. */
  onSync(listener: (e: ClockSyncedEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Polls the system: often while unsynchronised, every minute afterwards. */
  async start(): Promise<void> {
    await this.check();
    const loop = () => {
      this.timer = setTimeout(
        () => void this.check().finally(() => this.timer !== undefined && loop()),
        this.isSynced ? Math.max(this.pollMs, 60_000) : this.pollMs,
      );
      this.timer.unref();
    };
    loop();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
