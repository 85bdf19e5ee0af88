/**
 * Turns per-frame status bits (finger out, searching, sensor alarm, ...) into a few events:
 * one when a condition starts, a reminder every `reminderSeconds` while it lasts ("finger out
 * for 30 s") and one when it ends, instead of one event per frame. Durations are counted in
 * frames at the device's nominal frame rate, so they need no clock and stay pure.
 */
import type { StreamEvent } from '../result.ts';

export type ConditionState = 'started' | 'continuing' | 'ended';

export interface ConditionDetail {
  state: ConditionState;
  /** Seconds the condition has lasted (0 when it starts), one decimal. */
  seconds: number;
}

export class ConditionTracker {
  /** Frames seen per active condition since it started. */
  private readonly active = new Map<string, number>();

  constructor(
    private readonly framesPerSecond: number,
    private readonly reminderSeconds = 30,
  ) {}

  /** Records that `condition` was (in)active for `frames` frames; appends events to `out`. */
  observe(condition: string, isActive: boolean, frames: number, out: StreamEvent[]): void {
    const before = this.active.get(condition);
    if (!isActive) {
      if (before === undefined) return;
      this.active.delete(condition);
      out.push(event(condition, 'ended', before / this.framesPerSecond));
      return;
    }
    if (before === undefined) {
      out.push(event(condition, 'started', 0));
      this.active.set(condition, frames);
      return;
    }
    const after = before + frames;
    this.active.set(condition, after);
    const step = this.reminderSeconds * this.framesPerSecond;
    for (let k = Math.floor(before / step) + 1; k * step <= after; k++) {
      out.push(event(condition, 'continuing', k * this.reminderSeconds));
    }
  }

  /** Conditions active right now. */
  get current(): string[] {
    return [...this.active.keys()];
  }
}

function event(type: string, state: ConditionState, seconds: number): StreamEvent {
  const detail: ConditionDetail = { state, seconds: Math.round(seconds * 10) / 10 };
  return { type, detail };
}
