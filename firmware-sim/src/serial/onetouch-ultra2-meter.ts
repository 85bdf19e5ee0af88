/**
 * A simulated LifeScan OneTouch Ultra 2 meter, written from LifeScan's RS-232 protocol
 * description: commands arrive as DC1 CR, command, CR; every answer line is the body, a
 * space, the 16-bit byte sum in 4 upper-case hex digits, CR LF. The meter stores mg/dL,
 * newest record first, and keeps a wall clock that can be wrong until DMT sets it.
 */
import { naiveMs, wallOfNaive, wallTimeAt } from '../ble/wall-clock.ts';

export interface MeterWallTime {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export interface MeterRecord {
  /** Meter wall time of the test. */
  time: MeterWallTime;
  mgdl: number;
  /** Control-solution test ('C' marker). */
  control?: boolean;
  meal?: 'N' | 'B' | 'A';
  /** Comment code 0-11. */
  comment?: number;
  /** The meter marks the record with a parity error ('?'). */
  parityError?: boolean;
}

export interface MeterOptions {
  serial?: string;
  /** The unit the meter displays; records are stored in mg/dL either way. */
  unit?: 'mg/dL' | 'mmol/L';
  records?: MeterRecord[];
  /** IANA zone the meter's clock was set in. */
  tz?: string;
  /** How far the meter clock is ahead of the true wall time (negative: behind). */
  clockErrorMs?: number;
  now?: () => number;
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const p2 = (n: number) => String(n).padStart(2, '0');

export function meterChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xffff;
  return sum.toString(16).toUpperCase().padStart(4, '0');
}

export const meterLine = (body: string): string => `${body} ${meterChecksum(body)}\r\n`;

// Wall-clock arithmetic is shared with the BLE simulator (which uses the contract's zone helpers).
const naive = naiveMs;
const fromNaive = wallOfNaive;
const wallIn = wallTimeAt;

/** `"TUE","11/24/26","08:00:00   "` as the meter writes date and time. */
export function meterDateTime(w: MeterWallTime): string {
  const dow = DAYS[new Date(naive(w)).getUTCDay()];
  return `"${dow}","${p2(w.month)}/${p2(w.day)}/${p2(w.year % 100)}","${p2(w.hours)}:${p2(w.minutes)}:${p2(w.seconds)}   "`;
}

export function meterRecordLine(r: MeterRecord): string {
  const result = `${r.control ? 'C' : ' '} ${String(r.mgdl).padStart(3, '0')}${r.parityError ? '?' : ' '}`;
  return meterLine(`P ${meterDateTime(r.time)},"${result}","${r.meal ?? 'N'}","${p2(r.comment ?? 0)}", 00`);
}

export class OneTouchUltra2Meter {
  readonly serial: string;
  readonly unit: 'mg/dL' | 'mmol/L';
  /** Newest first, as the meter dumps them. */
  records: MeterRecord[];
  clockErrorMs: number;
  readonly tz: string;
  private readonly now: () => number;
  private input = '';
  /** Commands received, in order (for tests). */
  readonly commands: string[] = [];

  constructor(o: MeterOptions = {}) {
    this.serial = o.serial ?? 'SIM00001Y';
    this.unit = o.unit ?? 'mg/dL';
    this.records = [...(o.records ?? [])].sort((a, b) => naive(b.time) - naive(a.time));
    this.clockErrorMs = o.clockErrorMs ?? 0;
    this.tz = o.tz ?? 'UTC';
    this.now = o.now ?? Date.now;
  }

  /** The meter's clock right now. */
  clock(): MeterWallTime {
    return fromNaive(naive(wallIn(this.now(), this.tz)) + this.clockErrorMs);
  }

  /** A new test stored at the meter's current clock time. */
  addRecord(r: Omit<MeterRecord, 'time'> & { time?: MeterWallTime }): void {
    this.records.unshift({ ...r, time: r.time ?? this.clock() });
  }

  /** Bytes from the gateway; returns the meter's answer bytes (empty when nothing to say). */
  receive(bytes: Uint8Array): Uint8Array {
    this.input += Buffer.from(bytes).toString('latin1');
    let answer = '';
    for (;;) {
      const cr = this.input.indexOf('\r');
      if (cr < 0) break;
      const command = this.input.slice(0, cr).replaceAll('\x11', '');
      this.input = this.input.slice(cr + 1);
      if (command.length > 0) answer += this.answer(command);
    }
    return new Uint8Array(Buffer.from(answer, 'latin1'));
  }

  private answer(command: string): string {
    this.commands.push(command);
    if (command === 'DMF') return meterLine(`F ${meterDateTime(this.clock())}`);
    if (command.startsWith('DMT')) {
      const m = /^DMT(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(command);
      if (!m) return '';
      const [month, day, yy, hours, minutes, seconds] = m.slice(1).map(Number) as number[];
      const set = { year: 2000 + yy!, month: month!, day: day!, hours: hours!, minutes: minutes!, seconds: seconds! };
      this.clockErrorMs = naive(set) - naive(wallIn(this.now(), this.tz));
      return meterLine(`T ${meterDateTime(this.clock())}`);
    }
    if (command === 'DMP') {
      const unit = this.unit === 'mg/dL' ? 'MG/DL ' : 'MMOL/L';
      const header = meterLine(`P ${String(this.records.length).padStart(3, '0')},"${this.serial}","${unit}"`);
      return header + this.records.map(meterRecordLine).join('');
    }
    if (command === 'DM@') return meterLine(`@ "${this.serial}"`);
    if (command === 'DM?') return meterLine('?P02.00.00 30/08/06');
    if (command === 'DMSU?') return meterLine(`SU?,"${this.unit === 'mg/dL' ? 'MG/DL ' : 'MMOL/L'}"`);
    if (command === 'DMZ') {
      this.records = [];
      return meterLine('Z');
    }
    return '';
  }
}
