/**
 * Small pure stateful assemblers the device manager feeds BLE frames into, one per device:
 * - BodyCompositionAssembler joins a Body Composition Measurement sent as two packets
 *   (Multiple Packet Measurement flag, BCS 4.2.1: when the value exceeds ATT_MTU - 3 the server
 *   splits it into two indications, each with its own flags and the mandatory body fat field).
 * - GlucoseRecordAssembler attaches a Glucose Measurement Context (2A34) to the Glucose
 *   Measurement (2A18) whose sequence number it carries (GLS 3.x: the context follows its
 *   measurement when the measurement's Context Information Follows flag is set).
 * No timers: the caller calls `flush()` when the device disconnects or a RACP procedure ends.
 */
import { isValidTimeZone } from '../local-time.ts';
import type { DecodeOptions, DecodeResult } from '../result.ts';
import { bodyCompositionResult, MULTIPLE_PACKET_FLAG, parseBodyComposition } from './body-composition.ts';
import { decodeBle, normalizeCharacteristic } from './index.ts';
import type { FieldValue, Parsed } from './layout.ts';
import type { BleContext } from './readings.ts';

type Context = Record<string, string>;

const sameValue = (a: FieldValue, b: FieldValue) => JSON.stringify(a) === JSON.stringify(b);

/** Joins the fields of two packets; on a field present in both the first packet wins. */
function joinPackets(first: Parsed, second: Parsed): Parsed {
  const notes = [...first.notes, ...second.notes];
  if (first.altUnits !== second.altUnits)
    notes.push('the two packets disagree on the units flag; the first packet units are used');
  const fields = { ...second.fields, ...first.fields };
  for (const [name, value] of Object.entries(second.fields)) {
    const kept = first.fields[name];
    if (kept !== undefined && !sameValue(kept, value))
      notes.push(`the two packets carry different ${name}; the first is kept`);
  }
  notes.push('joined from 2 packets of a multiple-packet measurement');
  const unitsBit = first.flags & 0x0001;
  return {
    flags: ((first.flags | second.flags) & ~0x0001) | unitsBit,
    altUnits: first.altUnits,
    fields,
    end: 0,
    notes,
  };
}

export class BodyCompositionAssembler {
  #pending: { parsed: Parsed; ctx: BleContext } | undefined;

  /** Feeds one 2A9C value; returns the measurements it completes (zero, one or two). */
  push(bytes: Uint8Array, context: Context, opts: DecodeOptions): DecodeResult[] {
    if (!isValidTimeZone(opts.tz))
      return [{ ok: false, error: `unknown time zone "${opts.tz}": give an IANA zone such as Asia/Tokyo or UTC` }];
    const ctx: BleContext = { tz: opts.tz, context };
    const p = parseBodyComposition(bytes);
    if (!p.ok) return [p];
    if (!(p.flags & MULTIPLE_PACKET_FLAG)) return [...this.flush(), bodyCompositionResult(p, ctx)];
    if (!this.#pending) {
      this.#pending = { parsed: p, ctx };
      return [];
    }
    const first = this.#pending.parsed;
    this.#pending = undefined;
    return [bodyCompositionResult(joinPackets(first, p), ctx)];
  }

  /** Emits a half-received measurement with a note, e.g. when the device disconnects. */
  flush(): DecodeResult[] {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return [];
    const result = bodyCompositionResult(pending.parsed, pending.ctx);
    if (result.ok) result.notes.push('multiple-packet measurement incomplete: the second packet never arrived');
    return [result];
  }

  get waiting(): boolean {
    return this.#pending !== undefined;
  }
}

export class GlucoseRecordAssembler {
  #pending: { sequenceNumber: number; result: DecodeResult & { ok: true } } | undefined;

  /**
   * Feeds one 2A18 or 2A34 value; returns completed records: a measurement with its context in
   * `info.context`, a measurement without context, or a context that matched no measurement.
   */
  push(characteristic: string, bytes: Uint8Array, context: Context, opts: DecodeOptions): DecodeResult[] {
    const uuid = normalizeCharacteristic(characteristic);
    const result = decodeBle(characteristic, bytes, context, opts);
    if (!result.ok) return [result];
    const sequenceNumber = result.info?.sequenceNumber;
    if ((uuid !== '2A18' && uuid !== '2A34') || typeof sequenceNumber !== 'number') return [result];

    if (uuid === '2A34') {
      const pending = this.#pending;
      if (pending && pending.sequenceNumber === sequenceNumber) {
        this.#pending = undefined;
        const { sequenceNumber: _, ...contextInfo } = result.info ?? {};
        return [
          {
            ok: true,
            readings: pending.result.readings,
            notes: [...pending.result.notes, ...result.notes],
            info: { ...pending.result.info, context: contextInfo },
          },
        ];
      }
      result.notes.push(`context for sequence number ${sequenceNumber} matches no pending glucose measurement`);
      return [...this.flush(), result];
    }

    const done = this.flush();
    if (result.info?.contextFollows === true) this.#pending = { sequenceNumber, result };
    else done.push(result);
    return done;
  }

  /** Emits a measurement still waiting for its context (announced, never sent). */
  flush(): DecodeResult[] {
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return [];
    pending.result.notes.push(`context announced for sequence number ${pending.sequenceNumber} but none arrived`);
    return [pending.result];
  }

  get waiting(): boolean {
    return this.#pending !== undefined;
  }
}
