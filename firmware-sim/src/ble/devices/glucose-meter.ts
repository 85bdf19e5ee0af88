/**
 * A blood glucose meter (Glucose service 0x1808). It keeps every record with a sequence number
 * and answers Record Access Control Point (2A52) requests as GLS v1.0.1 §3.6 asks: each selected
 * record goes out as a Glucose Measurement notification (2A18), followed by its Context (2A34)
 * when it has one, then a Response Code indication on 2A52.
 */
import { MGDL_PER_KGL } from '@vitals/contract';
import {
  encodeGlucoseContext,
  encodeGlucoseFeature,
  encodeGlucoseMeasurement,
  type GlucoseContext,
  type GlucoseType,
  type SampleLocation,
  type SensorStatus,
} from '../encoders/glucose.ts';
import {
  encodeRacpNumberOfRecords,
  encodeRacpResponseCode,
  parseRacpRequest,
  RACP_FILTER_TYPES,
  RACP_OP_CODES,
  RACP_OPERATORS,
  RACP_RESPONSE_CODES,
  type RacpResponseCode,
} from '../encoders/racp.ts';
import { HCI_CONNECTION_TIMEOUT, type PeripheralOptions, SimPeripheral, type SimService } from '../peripheral.ts';
import type { WallTime } from '../wall-clock.ts';
import type { SimWorld } from '../world.ts';

export interface GlucoseMeterOptions extends PeripheralOptions {
  /** Sequence number of the first record; 1 by default. */
  firstSequence?: number;
  /** How long it advertises after a measurement; 10 s by default (use `advertising` for always-on). */
  advertisingWindowMs?: number;
  /** Stops advertising once a central that downloaded records lets it go; true by default. */
  sleepAfterTransfer?: boolean;
}

export interface GlucoseValues {
  mgdl: number;
  time?: WallTime;
  type?: GlucoseType;
  location?: SampleLocation;
  sensorStatus?: readonly SensorStatus[];
  /** Context fields (sequence number is filled in). */
  context?: Omit<GlucoseContext, 'sequenceNumber'>;
}

export interface GlucoseRecord {
  sequenceNumber: number;
  measurement: Uint8Array;
  context?: Uint8Array;
}

type Selection = { ok: true; records: GlucoseRecord[] } | { ok: false; code: RacpResponseCode };

export class GlucoseMeter extends SimPeripheral {
  readonly kind = 'glucose-meter' as const;
  readonly advertisedServices = ['1808'] as const;
  private readonly records: GlucoseRecord[] = [];
  private nextSequence: number;
  private procedure: { aborted: boolean } | null = null;
  private readonly sleepAfterTransfer: boolean;
  private transferredThisLink = false;

  constructor(world: SimWorld, opts: GlucoseMeterOptions) {
    super(
      world,
      { advertising: { mode: 'after-measurement', windowMs: opts.advertisingWindowMs ?? 10_000 }, ...opts },
      { localName: 'Contour7830H', model: '7830H', manufacturer: 'Ascensia Diabetes Care' },
    );
    this.nextSequence = opts.firstSequence ?? 1;
    this.sleepAfterTransfer = opts.sleepAfterTransfer ?? true;
  }

  /** Every stored record, oldest first. */
  get storedRecords(): readonly GlucoseRecord[] {
    return this.records;
  }

  /** Takes a measurement; returns its record. Concentration goes out in kg/L (mg/dL mantissa, exponent -5). */
  measure(v: GlucoseValues): GlucoseRecord {
    const sequenceNumber = this.nextSequence;
    this.nextSequence = (this.nextSequence + 1) & 0xffff;
    const record: GlucoseRecord = {
      sequenceNumber,
      measurement: encodeGlucoseMeasurement({
        sequenceNumber,
        baseTime: v.time ?? this.clockNow(),
        timeOffsetMinutes: 0,
        concentration: {
          unit: 'kg/L',
          value: v.mgdl / MGDL_PER_KGL,
          exponent: -5,
          type: v.type ?? 'capillaryPlasma',
          location: v.location ?? 'finger',
        },
        ...(v.sensorStatus ? { sensorStatus: v.sensorStatus } : {}),
        contextFollows: v.context !== undefined,
      }),
      ...(v.context ? { context: encodeGlucoseContext({ ...v.context, sequenceNumber }) } : {}),
    };
    this.records.push(record);
    this.announceMeasurement();
    return record;
  }

  protected profileServices(): SimService[] {
    return [
      {
        uuid: '1808',
        characteristics: [
          { uuid: '2a18', properties: ['notify'] },
          { uuid: '2a34', properties: ['notify'] },
          {
            uuid: '2a51',
            properties: ['read'],
            read: () => encodeGlucoseFeature(['lowBatteryDetection', 'sensorMalfunctionDetection', 'timeFault']),
          },
          { uuid: '2a52', properties: ['write', 'indicate'], write: (d) => this.onRacp(d) },
        ],
      },
    ];
  }

  protected override onDisconnected(): void {
    if (this.procedure) this.procedure.aborted = true;
    this.procedure = null;
    if (this.transferredThisLink && this.sleepAfterTransfer && this.advertisingMode.mode === 'after-measurement') {
      this.stopAdvertising();
    }
    this.transferredThisLink = false;
  }

  private onRacp(data: Uint8Array): void {
    // GLS §3.6: a write without indications enabled gets ATT error 0x81; nothing is answered.
    if (!this.isSubscribed('2a52')) return;
    const reply = this.racp(data);
    if (!reply) return;
    if (data[0] === RACP_OP_CODES.report_stored_records) this.transferredThisLink = true;
    void this.send('1808', '2a52', reply);
  }

  /** Handles one RACP request; returns the indication to send now, or null (none, or sent after a report). */
  private racp(data: Uint8Array): Uint8Array | null {
    const req = parseRacpRequest(data);
    if (!req) return encodeRacpResponseCode(data[0] ?? 0, RACP_RESPONSE_CODES.invalid_operand);
    const code = (c: RacpResponseCode) => encodeRacpResponseCode(req.opcode, c);
    switch (req.opcode) {
      case RACP_OP_CODES.abort_operation: {
        if (req.operator !== RACP_OPERATORS.null) return code(RACP_RESPONSE_CODES.invalid_operator);
        if (this.procedure) this.procedure.aborted = true;
        this.procedure = null;
        return code(RACP_RESPONSE_CODES.success);
      }
      case RACP_OP_CODES.report_stored_records:
      case RACP_OP_CODES.delete_stored_records:
      case RACP_OP_CODES.report_number_of_stored_records: {
        // GLS §3.6.3: a second procedure while one runs is refused (ATT 0x80); nothing is answered.
        if (this.procedure) return null;
        const sel = this.select(req.operator, req.operand);
        if (!sel.ok) return code(sel.code);
        if (req.opcode === RACP_OP_CODES.report_number_of_stored_records)
          return encodeRacpNumberOfRecords(sel.records.length);
        if (sel.records.length === 0) return code(RACP_RESPONSE_CODES.no_records_found);
        if (req.opcode === RACP_OP_CODES.delete_stored_records) {
          for (const r of sel.records) this.records.splice(this.records.indexOf(r), 1);
          return code(RACP_RESPONSE_CODES.success);
        }
        void this.report(sel.records);
        return null;
      }
      default:
        return code(RACP_RESPONSE_CODES.op_code_not_supported);
    }
  }

  private select(operator: number, operand: Uint8Array): Selection {
    const all = this.records;
    const seqOperand = (count: number): number[] | RacpResponseCode => {
      if (operand.length < 1) return RACP_RESPONSE_CODES.invalid_operand;
      if (operand[0] === RACP_FILTER_TYPES.user_facing_time) return RACP_RESPONSE_CODES.operand_not_supported;
      if (operand[0] !== RACP_FILTER_TYPES.sequence_number || operand.length < 1 + 2 * count) {
        return RACP_RESPONSE_CODES.invalid_operand;
      }
      return Array.from({ length: count }, (_, i) => operand[1 + 2 * i]! | (operand[2 + 2 * i]! << 8));
    };
    switch (operator) {
      case RACP_OPERATORS.null:
        return { ok: false, code: RACP_RESPONSE_CODES.invalid_operator };
      case RACP_OPERATORS.all_records:
        return { ok: true, records: [...all] };
      case RACP_OPERATORS.first_record:
        return { ok: true, records: all.slice(0, 1) };
      case RACP_OPERATORS.last_record:
        return { ok: true, records: all.slice(-1) };
      case RACP_OPERATORS.less_than_or_equal_to:
      case RACP_OPERATORS.greater_than_or_equal_to:
      case RACP_OPERATORS.within_range_of: {
        const v = seqOperand(operator === RACP_OPERATORS.within_range_of ? 2 : 1);
        if (!Array.isArray(v)) return { ok: false, code: v };
        const [a, b] = v as [number, number | undefined];
        if (operator === RACP_OPERATORS.within_range_of && b! < a) {
          return { ok: false, code: RACP_RESPONSE_CODES.invalid_operand };
        }
        const keep = (s: number) =>
          operator === RACP_OPERATORS.less_than_or_equal_to
            ? s <= a
            : operator === RACP_OPERATORS.greater_than_or_equal_to
              ? s >= a
              : s >= a && s <= b!;
        return { ok: true, records: all.filter((r) => keep(r.sequenceNumber)) };
      }
      default:
        return { ok: false, code: RACP_RESPONSE_CODES.operator_not_supported };
    }
  }

  private async report(records: GlucoseRecord[]): Promise<void> {
    const procedure = { aborted: false };
    this.procedure = procedure;
    let sent = 0;
    for (const r of records) {
      if (procedure.aborted || !this.connected) return;
      await this.send('1808', '2a18', r.measurement);
      if (r.context) await this.send('1808', '2a34', r.context);
      if (procedure.aborted || !this.connected) return;
      sent++;
      const fault = this.radio.takeFault('disconnect-mid-transfer');
      if (fault && sent < fault.afterRecords) this.injectFault(fault);
      if (fault && sent >= fault.afterRecords) {
        this.disconnectNow(HCI_CONNECTION_TIMEOUT);
        return;
      }
    }
    if (procedure.aborted) return;
    this.procedure = null;
    this.transferredThisLink = true;
    void this.send(
      '1808',
      '2a52',
      encodeRacpResponseCode(RACP_OP_CODES.report_stored_records, RACP_RESPONSE_CODES.success),
    );
  }
}
