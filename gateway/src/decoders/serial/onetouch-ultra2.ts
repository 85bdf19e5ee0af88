/**
 * LifeScan OneTouch Ultra 2 glucose meter: 9600 baud 8-N-1, ASCII command/response
 * ("OneTouch Ultra 2 RS-232 communication protocol", LifeScan). Every command is sent as
 * DC1 CR (0x11 0x0D), the command, CR. Every answer line ends in CR LF and carries a
 * checksum: a space and four upper-case hex digits, the 16-bit sum of all bytes before that
 * space. Answers this module reads:
 *
 *   DMP  dump   P nnn,"SERIALNO9","MG/DL " cccc        header: record count, serial, display unit
 *               P "WED","11/24/26","08:00:00   ","  120 ","N","00", 00 cccc    one record each
 *   DMF  clock  F "WED","11/24/26","08:00:00   " cccc
 *   DMT  set    T "WED","11/24/26","08:00:00   " cccc    (command: DMTmm/dd/yy hh:mm:ss)
 *   DM@  serial @ "SERIALNO9" cccc
 *   DM?  version ?P02.00.00 30/08/06 cccc
 *
 * A record's result field is 6 characters: 'C' for a control-solution result (else a
 * space), the value in mg/dL, and '?' in the last place when the meter marks the record
 * with a parity error. Records come newest first. The meter stores mg/dL even when it
 * displays mmol/L; the header's unit says which it displays.
 */
import { type DecodedReading, MGDL_PER_MMOLL, roundTo } from '@vitals/contract';
import { type WallTime, wallTimeToUtc } from '../local-time.ts';
import type { DecodeOptions, StreamDecoder, StreamOutput } from '../result.ts';
import { emptyOutput } from './stream-output.ts';

export const ULTRA2_COMMAND_PREFIX = '\x11\r';
/** Longer lines are not meter answers; they are dropped so a noisy line cannot grow the buffer. */
const MAX_LINE = 160;

export type Ultra2Unit = 'MG/DL ' | 'MMOL/L';

/** The checksum of the protocol: 16-bit sum of the bytes. */
export function ultra2Checksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) & 0xffff;
  return sum;
}

/** An answer line as the meter sends it: body, space, checksum, CR LF. */
export function ultra2Line(body: string): string {
  return `${body} ${ultra2Checksum(body).toString(16).toUpperCase().padStart(4, '0')}\r\n`;
}

/** The bytes to write for one command (`DMP`, `DMF`, `DMT11/24/26 08:00:00`, ...). */
export function ultra2Command(command: string): Uint8Array {
  return new Uint8Array(Buffer.from(`${ULTRA2_COMMAND_PREFIX}${command}\r`, 'latin1'));
}

/** `DMT` with the wall time to set, as the protocol writes it: mm/dd/yy hh:mm:ss. */
export function ultra2SetClockCommand(w: WallTime): Uint8Array {
  const p = (n: number) => String(n).padStart(2, '0');
  return ultra2Command(`DMT${p(w.month)}/${p(w.day)}/${p(w.year % 100)} ${p(w.hours)}:${p(w.minutes)}:${p(w.seconds)}`);
}

const DATE_TIME = String.raw`"([A-Z]{3})","(\d{2})/(\d{2})/(\d{2})","(\d{2}):(\d{2}):(\d{2})   "`;
const CHECKED_LINE = /^(.*) ([0-9A-F]{4})$/;
const HEADER = /^P (\d{3}),"([^"]*)","(MG\/DL |MMOL\/L)"$/;
const RECORD = new RegExp(`^P ${DATE_TIME},"(.{6})","([NBA])","(\\d{2})", (\\d{2})$`);
const CLOCK = new RegExp(`^([FT]) ${DATE_TIME}$`);
const SERIAL = /^@ "([^"]*)"$/;
const VERSION = /^\?(.*)$/;
const RESULT = /^([C ]) *(\d{1,4})([ ?])$/;

/** Meal markers of a record (LifeScan document, record format). */
const MEAL_FLAGS: Record<string, string | undefined> = { N: undefined, B: 'before_meal', A: 'after_meal' };
/** Comment codes of a record (LifeScan document, record format). */
export const ULTRA2_COMMENTS: Record<string, string> = {
  '00': '',
  '01': 'not enough food',
  '02': 'too much food',
  '03': 'mild exercise',
  '04': 'hard exercise',
  '05': 'medication',
  '06': 'stress',
  '07': 'illness',
  '08': 'feel hypo',
  '09': 'menses',
  '10': 'vacation',
  '11': 'other',
};

export interface Ultra2Record {
  wall: WallTime;
  control: boolean;
  /** mg/dL as stored by the meter. */
  mgdl: number;
  parityError: boolean;
  meal: 'N' | 'B' | 'A';
  comment: string;
}

export type Ultra2Line =
  | { kind: 'header'; records: number; serial: string; unit: Ultra2Unit }
  | { kind: 'record'; record: Ultra2Record }
  | { kind: 'clock'; command: 'F' | 'T'; wall: WallTime }
  | { kind: 'serial'; serial: string }
  | { kind: 'version'; version: string };

/** The checksum-verified body of a line (CR LF already removed), or an error. */
export function checkUltra2Line(line: string): { ok: true; body: string } | { ok: false; error: string } {
  const m = CHECKED_LINE.exec(line);
  if (!m) return { ok: false, error: 'line has no checksum' };
  const body = m[1]!;
  const given = Number.parseInt(m[2]!, 16);
  const computed = ultra2Checksum(body);
  if (given !== computed)
    return {
      ok: false,
      error: `checksum ${m[2]} does not match the computed ${computed.toString(16).toUpperCase().padStart(4, '0')}`,
    };
  return { ok: true, body };
}

const wallOf = (m: RegExpExecArray, at: number): WallTime => ({
  // The meter stores two-digit years; LifeScan's format is not Y2K-safe, 20yy is assumed.
  year: 2000 + Number(m[at + 3]),
  month: Number(m[at + 1]),
  day: Number(m[at + 2]),
  hours: Number(m[at + 4]),
  minutes: Number(m[at + 5]),
  seconds: Number(m[at + 6]),
});

/** Parses a checksum-verified body. */
export function parseUltra2Body(body: string): Ultra2Line | null {
  let m = RECORD.exec(body);
  if (m) {
    const result = RESULT.exec(m[8]!);
    if (!result) return null;
    return {
      kind: 'record',
      record: {
        wall: wallOf(m, 1),
        control: result[1] === 'C',
        mgdl: Number(result[2]),
        parityError: result[3] === '?',
        meal: m[9] as 'N' | 'B' | 'A',
        comment: ULTRA2_COMMENTS[m[10]!] ?? `comment code ${m[10]}`,
      },
    };
  }
  m = HEADER.exec(body);
  if (m) return { kind: 'header', records: Number(m[1]), serial: m[2]!, unit: m[3] as Ultra2Unit };
  m = CLOCK.exec(body);
  if (m) return { kind: 'clock', command: m[1] as 'F' | 'T', wall: wallOf(m, 2) };
  m = SERIAL.exec(body);
  if (m) return { kind: 'serial', serial: m[1]! };
  m = VERSION.exec(body);
  if (m) return { kind: 'version', version: m[1]! };
  return null;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `2026-11-24T08:00:00` (device wall time, no zone). */
export const wallTimeText = (w: WallTime): string =>
  `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hours)}:${pad(w.minutes)}:${pad(w.seconds)}`;

/** Splits a byte stream into CR LF lines, tolerating a bare LF; keeps state across chunks. */
export class LineSplitter {
  private buffer = '';

  /** Complete lines (without CR LF, `bytes` counting them), and bytes dropped for over-long lines. */
  push(chunk: Uint8Array): { lines: { text: string; bytes: number }[]; dropped: number } {
    this.buffer += Buffer.from(chunk).toString('latin1');
    const lines: { text: string; bytes: number }[] = [];
    let dropped = 0;
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      const raw = this.buffer.slice(0, nl);
      lines.push({ text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, bytes: nl + 1 });
      this.buffer = this.buffer.slice(nl + 1);
    }
    if (this.buffer.length > MAX_LINE) {
      dropped = this.buffer.length;
      this.buffer = '';
    }
    return { lines, dropped };
  }

  /** What is left without a line end. */
  take(): string {
    const rest = this.buffer;
    this.buffer = '';
    return rest;
  }
}

/** Drops the NUL bytes and blanks a meter sends before an answer when it wakes up. */
function trimWake(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) <= 0x20) i++;
  return s.slice(i);
}

/**
 * Streaming decoder of the meter's answers. Readings: one `glucose` reading (mg/dL) per
 * intact record, time read in `opts.tz`; control-solution results carry the flag
 * `control_solution`; meal markers give `before_meal` / `after_meal`; on a meter that
 * displays mmol/L, `source` keeps the displayed mmol/L value (one decimal). Clock answers
 * give a `device_clock` event (DMF) or `device_clock_set` event (DMT) with the wall time.
 */
export class Ultra2Decoder implements StreamDecoder {
  private lines = new LineSplitter();
  private unit: Ultra2Unit = 'MG/DL ';

  constructor(readonly opts: DecodeOptions) {}

  push(chunk: Uint8Array): StreamOutput {
    const out = emptyOutput();
    const { lines, dropped } = this.lines.push(chunk);
    for (const line of lines) this.onLine(line.text, line.bytes, out);
    if (dropped > 0) {
      out.skippedBytes += dropped;
      out.notes.push(`dropped ${dropped} bytes without a line end`);
    }
    return out;
  }

  end(): StreamOutput {
    const out = emptyOutput();
    const rest = this.lines.take();
    // A last line may come without its CR LF (a chunk cut by hand); decode it if intact.
    const last = trimWake(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
    if (last.length > 0) {
      if (checkUltra2Line(last).ok) this.onLine(rest, rest.length, out);
      else out.notes.push(`${rest.length} bytes at the end form an incomplete line`);
    }
    this.unit = 'MG/DL ';
    return out;
  }

  private onLine(raw: string, bytes: number, out: StreamOutput): void {
    const line = trimWake(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (line.length === 0) return;
    const skip = (why: string) => {
      out.skippedBytes += bytes;
      out.notes.push(`skipped line "${printable(line)}": ${why}`);
    };
    const checked = checkUltra2Line(line);
    if (!checked.ok) {
      skip(checked.error);
      return;
    }
    const parsed = parseUltra2Body(checked.body);
    if (!parsed) {
      skip('not a OneTouch Ultra 2 answer this decoder knows');
      return;
    }
    out.frames += 1;
    switch (parsed.kind) {
      case 'header':
        this.unit = parsed.unit;
        out.notes.push(
          `memory dump of meter ${parsed.serial}: ${parsed.records} records, displays ${parsed.unit.trim()}`,
        );
        return;
      case 'record':
        this.onRecord(parsed.record, out);
        return;
      case 'clock': {
        const utc = wallTimeToUtc(parsed.wall, this.opts.tz);
        out.events.push({
          type: parsed.command === 'F' ? 'device_clock' : 'device_clock_set',
          detail: { wallTime: wallTimeText(parsed.wall), time: utc ? utc.toISOString() : null },
        });
        return;
      }
      case 'serial':
        out.notes.push(`meter serial number ${parsed.serial}`);
        return;
      case 'version':
        out.notes.push(`meter software version ${parsed.version}`);
        return;
      default:
        parsed satisfies never;
    }
  }

  private onRecord(r: Ultra2Record, out: StreamOutput): void {
    const when = wallTimeText(r.wall);
    if (r.parityError) {
      out.notes.push(`record of ${when} is marked with a parity error by the meter: no reading`);
      return;
    }
    const reading: DecodedReading = { metric: 'glucose', value: r.mgdl, unit: 'mg/dL' };
    const utc = wallTimeToUtc(r.wall, this.opts.tz);
    if (utc) reading.time = utc.toISOString();
    else out.notes.push(`record ${when} has an impossible date: no time`);
    if (this.unit === 'MMOL/L') reading.source = { value: roundTo(r.mgdl / MGDL_PER_MMOLL, 1), unit: 'mmol/L' };
    const flags: string[] = [];
    if (r.control) flags.push('control_solution');
    const meal = MEAL_FLAGS[r.meal];
    if (meal) flags.push(meal);
    if (flags.length) reading.flags = flags;
    if (r.comment) out.notes.push(`record of ${when}: comment "${r.comment}"`);
    out.readings.push(reading);
  }
}

function printable(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}...` : clean;
}

export function createUltra2Decoder(opts: DecodeOptions): StreamDecoder {
  return new Ultra2Decoder(opts);
}
