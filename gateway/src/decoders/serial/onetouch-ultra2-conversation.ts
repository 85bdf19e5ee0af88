/**
 * The gateway's side of a OneTouch Ultra 2 download: read the meter clock (DMF), set it when
 * it is off by more than the tolerance (DMT, in the gateway's zone), then dump the memory
 * (DMP) and publish only the records newer than the saved cursor.
 *
 * The cursor is the body (checksum removed) of the newest record of the last intact
 * download. Records come newest first, so every record before the one equal to the cursor
 * is new. A download with a corrupt line publishes what it has but keeps the old cursor, so
 * the next download sends those records again (stable reading ids make that harmless).
 * Records keep the meter's own time stamps; a clock found wrong is reported as
 * `clock_adjusted` with the offset so the pipeline can judge earlier records.
 */
import { type WallTime, wallTimeToUtc, zoneOffsetMs } from '../local-time.ts';
import type { StreamEvent } from '../result.ts';
import {
  type ConversationContext,
  type ConversationSpec,
  type ConversationStep,
  type SerialConversation,
  step,
} from './conversation.ts';
import {
  checkUltra2Line,
  LineSplitter,
  parseUltra2Body,
  ultra2Command,
  ultra2SetClockCommand,
  wallTimeText,
} from './onetouch-ultra2.ts';

const DEFAULT_CLOCK_TOLERANCE_MS = 120_000;
const MAX_ATTEMPTS = 3;

type State = 'idle' | 'read-clock' | 'set-clock' | 'dump' | 'done';

/** Wall-clock fields of `at` in `tz`. */
export function wallTimeIn(at: Date, tz: string): WallTime {
  const local = new Date(at.getTime() + zoneOffsetMs(tz, at.getTime()));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hours: local.getUTCHours(),
    minutes: local.getUTCMinutes(),
    seconds: local.getUTCSeconds(),
  };
}

export class Ultra2Conversation implements SerialConversation {
  private state: State = 'idle';
  private attempts = 0;
  private lines = new LineSplitter();
  private deviceClock: WallTime | null = null;
  private dump: {
    expected: number;
    received: number;
    header: string;
    fresh: string[];
    reachedCursor: boolean;
    corrupt: number;
    newest: string | null;
  } | null = null;

  constructor(private readonly ctx: ConversationContext) {}

  start(_now: Date): ConversationStep {
    return this.send('read-clock', ultra2Command('DMF'));
  }

  timeout(now: Date): ConversationStep {
    if (this.state === 'done' || this.state === 'idle') return step({ done: this.state === 'done' });
    if (this.attempts >= MAX_ATTEMPTS) {
      const command = { 'read-clock': 'DMF', 'set-clock': 'DMT', dump: 'DMP' }[this.state];
      this.state = 'done';
      return step({
        done: true,
        events: [{ type: 'no_response', detail: { command, attempts: this.attempts } }],
      });
    }
    this.attempts += 1;
    this.lines = new LineSplitter();
    if (this.state === 'read-clock') return step({ writes: [ultra2Command('DMF')] });
    if (this.state === 'set-clock') return step({ writes: [ultra2SetClockCommand(wallTimeIn(now, this.ctx.tz))] });
    this.dump = null;
    return step({ writes: [ultra2Command('DMP')] });
  }

  receive(chunk: Uint8Array, now: Date): ConversationStep {
    const result = step();
    for (const { text } of this.lines.push(chunk).lines) {
      this.onLine(text, now, result);
      if (result.done) break;
    }
    return result;
  }

  private send(state: State, bytes: Uint8Array): ConversationStep {
    this.state = state;
    this.attempts = 1;
    return step({ writes: [bytes] });
  }

  private onLine(raw: string, now: Date, out: ConversationStep): void {
    const text = raw.replace(/^[^P-TF@?]+/, '');
    const checked = checkUltra2Line(text);
    const parsed = checked.ok ? parseUltra2Body(checked.body) : null;
    switch (this.state) {
      case 'read-clock':
        if (parsed?.kind === 'clock' && parsed.command === 'F') this.onClock(parsed.wall, now, out);
        return;
      case 'set-clock':
        if (parsed?.kind === 'clock' && parsed.command === 'T') {
          out.events.push(this.clockAdjusted(parsed.wall, now));
          this.startDump(out);
        }
        return;
      case 'dump':
        this.onDumpLine(text, checked.ok ? checked.body : null, parsed?.kind ?? null, out);
        return;
      case 'idle':
      case 'done':
        return;
      default:
        this.state satisfies never;
    }
  }

  private onClock(wall: WallTime, now: Date, out: ConversationStep): void {
    this.deviceClock = wall;
    const device = wallTimeToUtc(wall, this.ctx.tz);
    const tolerance = this.ctx.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
    if (device && Math.abs(device.getTime() - now.getTime()) <= tolerance) {
      this.startDump(out);
      return;
    }
    const next = this.send('set-clock', ultra2SetClockCommand(wallTimeIn(now, this.ctx.tz)));
    out.writes.push(...next.writes);
  }

  private clockAdjusted(setTo: WallTime, now: Date): StreamEvent {
    const before = this.deviceClock ? wallTimeToUtc(this.deviceClock, this.ctx.tz) : null;
    return {
      type: 'clock_adjusted',
      detail: {
        deviceTime: this.deviceClock ? wallTimeText(this.deviceClock) : null,
        setTo: wallTimeText(setTo),
        offsetSeconds: before ? Math.round((before.getTime() - now.getTime()) / 1000) : null,
      },
    };
  }

  private startDump(out: ConversationStep): void {
    const next = this.send('dump', ultra2Command('DMP'));
    out.writes.push(...next.writes);
    this.dump = null;
  }

  private onDumpLine(text: string, body: string | null, kind: string | null, out: ConversationStep): void {
    if (text === '') return;
    if (!this.dump) {
      if (kind !== 'header' || !body) return;
      const expected = Number(body.slice(2, 5));
      this.dump = {
        expected,
        received: 0,
        header: `${text}\r\n`,
        fresh: [],
        reachedCursor: false,
        corrupt: 0,
        newest: null,
      };
      if (expected === 0) this.finishDump(out);
      return;
    }
    const d = this.dump;
    d.received += 1;
    if (kind !== 'record' || !body) d.corrupt += 1;
    else if (d.received === 1) d.newest = body;
    if (body !== null && body === this.ctx.cursor) d.reachedCursor = true;
    if (!d.reachedCursor) d.fresh.push(`${text}\r\n`);
    if (d.received >= d.expected) this.finishDump(out);
  }

  private finishDump(out: ConversationStep): void {
    const d = this.dump!;
    this.state = 'done';
    out.done = true;
    if (d.fresh.length > 0) out.publish.push(new Uint8Array(Buffer.from(d.header + d.fresh.join(''), 'latin1')));
    out.events.push({
      type: 'download_complete',
      detail: { records: d.expected, new: d.fresh.length, corrupt: d.corrupt },
    });
    if (d.corrupt === 0 && d.newest !== null && d.newest !== this.ctx.cursor) out.cursor = d.newest;
  }
}

export const ULTRA2_CONVERSATION: ConversationSpec = {
  create: (ctx) => new Ultra2Conversation(ctx),
  responseTimeoutMs: 3000,
  repeatAfterMs: 15 * 60_000,
};
