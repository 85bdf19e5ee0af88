/**
 * Readings → FHIR R4 Observations following the HL7 Personal Health Device IG (pure; no I/O).
 *
 * - One reading is one Observation (PhdNumericObservation, or a coded one for ACVPU); the three
 *   pressures of one cuff inflation (bp_systolic, bp_diastolic, bp_mean: separate rows of one
 *   measurement, same device and time) are ONE Observation with components
 *   (PhdCompoundNumericObservation and the FHIR bp profile).
 * - `identifier` holds the reading id(s), so a consumer's conditional create
 *   (`If-None-Exist: identifier=urn:vitals:reading-id|…`) never duplicates; the resource id is
 *   the md5 of the first (smallest) reading id of the group (./ids.ts).
 * - Codes: vital-signs category, LOINC and the MDC code per metric, UCUM units; values exact.
 * - `device` → Device/dev-…; the gateway that forwarded it in the observation-gatewayDevice
 *   extension (PHD IG); a reading a care-team member recorded names them as `performer`.
 * - `effectiveDateTime` is UTC. Clock handling follows the IG's coincident-time-stamp approach
 *   in substance: the gateway corrects a device clock that runs ahead (flag
 *   `device_clock_corrected`) or stamps its own time (timeSource `gateway`) and says so; the
 *   time-source extension carries that, so the original device time line is not mistaken for
 *   the corrected one. (We do not store the device's raw time, so no separate
 *   PhdCoincidentTimeStampObservation is produced.)
 * - Flags: IEEE special values → `dataAbsentReason`; intermediate/ongoing → status
 *   `preliminary`; a superseded team observation → `entered-in-error`; the device's
 *   measurement-status flags (irregular pulse, cuff loose, …) as reading-flag extensions.
 */

import type {
  CodeableConcept,
  Coding,
  Extension,
  Observation,
  ObservationComponent,
  Quantity,
} from '@medplum/fhirtypes';
import { FLAGS, isMetric, type Metric } from '@vitals/contract';
import {
  ACVPU_SYSTEM,
  BP_PANEL,
  codesOf,
  DATA_ABSENT_REASON,
  FLAG_EXTENSION,
  FLAG_SYSTEM,
  GATEWAY_EXTENSION,
  isBpMetric,
  LOINC,
  MDC,
  MDC_PULSE_NONINV,
  OBSERVATION_CATEGORY,
  PROFILE,
  READING_ID_SYSTEM,
  TIME_SOURCE_EXTENSION,
  UCUM,
  USER_ID_SYSTEM,
} from './codes.ts';
import { deviceResourceId, gatewayResourceId, observationId } from './ids.ts';

/** A stored reading as the FHIR mapping needs it (storage/repos/fhir.ts reads these). */
export interface ReadingRecord {
  id: string;
  patient_id: string;
  device_id: string;
  gateway_id: string;
  metric: string;
  time: Date;
  value: number | null;
  code: string | null;
  unit: string;
  time_source: string;
  flags: string[] | null;
  group_id: string | null;
  received_at: Date;
  recorded_by: string | null;
  recorder_name: string | null;
}

/** The device id of readings a care-team member recorded (storage/repos/observations.ts). */
const RECORDED = 'observation';

/** One Observation's readings: a blood pressure's pressures, or a single reading. */
export interface ReadingGroup {
  anchor: string;
  time: Date;
  rows: ReadingRecord[];
}

/**
 * Groups readings into Observations, in the order the API pages them: by time, then by the
 * anchor (smallest reading id). Pressures of one device at one instant form one group.
 */
export function groupReadings(rows: readonly ReadingRecord[]): ReadingGroup[] {
  const bp = new Map<string, ReadingGroup>();
  const out: ReadingGroup[] = [];
  for (const r of rows) {
    if (isBpMetric(r.metric) && r.device_id !== RECORDED) {
      const key = `${r.patient_id}|${r.device_id}|${r.time.getTime()}`;
      const g = bp.get(key);
      if (g) {
        g.rows.push(r);
        if (r.id < g.anchor) g.anchor = r.id;
        continue;
      }
      const fresh = { anchor: r.id, time: r.time, rows: [r] };
      bp.set(key, fresh);
      out.push(fresh);
    } else out.push({ anchor: r.id, time: r.time, rows: [r] });
  }
  return out.sort(compareGroups);
}

export function compareGroups(a: { time: Date; anchor: string }, b: { time: Date; anchor: string }): number {
  const t = a.time.getTime() - b.time.getTime();
  if (t !== 0) return t;
  return a.anchor < b.anchor ? -1 : a.anchor > b.anchor ? 1 : 0;
}

const COMPONENT_ORDER: Record<string, number> = { bp_systolic: 0, bp_diastolic: 1, bp_mean: 2 };

const quantity = (value: number, unit: string): Quantity => ({ value, unit, system: UCUM, code: unit });

/** IEEE-11073 special values and unsuccessful measurements: why there is no value. */
const ABSENT: Record<string, { code: string; display: string }> = {
  value_nan: { code: 'not-a-number', display: 'Not a Number (NaN)' },
  value_pos_inf: { code: 'positive-infinity', display: 'Positive Infinity (PINF)' },
  value_neg_inf: { code: 'negative-infinity', display: 'Negative Infinity (NINF)' },
  value_nres: { code: 'error', display: 'Error' },
  value_reserved: { code: 'error', display: 'Error' },
  measurement_unsuccessful: { code: 'error', display: 'Error' },
};

/** Flags that say the value is not final. */
const PRELIMINARY = new Set(['intermediate', 'measurement_ongoing', 'early_estimate']);
/** Flags carried by other elements (status, data-absent reason, time source): not repeated as extensions. */
const CARRIED = new Set([
  ...Object.keys(ABSENT),
  ...PRELIMINARY,
  'superseded',
  'device_clock_corrected',
  'device_clock_invalid',
  'gateway_clock_unsynchronised',
  'gateway_time_corrected',
]);

function absentReason(flags: readonly string[]): CodeableConcept | undefined {
  const f = flags.find((x) => x in ABSENT);
  if (!f) return undefined;
  const a = ABSENT[f]!;
  return { coding: [{ system: DATA_ABSENT_REASON, code: a.code, display: a.display }] };
}

function codingsOf(metric: Metric, cuffPulse: boolean): Coding[] {
  const c = codesOf(metric);
  const mdc = metric === 'pulse_rate' && cuffPulse ? MDC_PULSE_NONINV : c.mdc;
  return [
    { system: LOINC, code: c.loinc, display: c.display },
    ...(c.also ?? []),
    ...(mdc ? [{ system: MDC, code: mdc.code, display: mdc.display }] : []),
  ];
}

function timeSourceOf(r: ReadingRecord): string {
  const flags = r.flags ?? [];
  if (r.device_id === RECORDED) return 'recorded';
  if (flags.includes('device_clock_corrected')) return 'device-corrected';
  if (flags.includes('gateway_time_corrected')) return 'gateway-corrected';
  return r.time_source === 'gateway' ? 'gateway' : 'device';
}

function flagExtensions(flags: readonly string[]): Extension[] {
  return flags
    .filter((f) => !CARRIED.has(f))
    .map((f) => ({
      url: FLAG_EXTENSION,
      valueCoding: {
        system: FLAG_SYSTEM,
        code: f,
        ...(f in FLAGS ? { display: FLAGS[f as keyof typeof FLAGS] } : {}),
      },
    }));
}

/**
 * The Observation of one group. `cuffPulseGroups`: group ids of the readings that hold a
 * blood pressure (a pulse rate of the same cuff inflation gets MDC_PULS_RATE_NON_INV).
 */
export function toObservation(g: ReadingGroup, cuffPulseGroups: ReadonlySet<string> = new Set()): Observation {
  const rows = [...g.rows].sort((a, b) => (COMPONENT_ORDER[a.metric] ?? 9) - (COMPONENT_ORDER[b.metric] ?? 9));
  const first = rows[0]!;
  const isBp = isBpMetric(first.metric) && first.device_id !== RECORDED;
  const flags = [...new Set(rows.flatMap((r) => r.flags ?? []))];
  const status: Observation['status'] = flags.includes('superseded')
    ? 'entered-in-error'
    : flags.some((f) => PRELIMINARY.has(f))
      ? 'preliminary'
      : 'final';
  const lastUpdated = new Date(Math.max(...rows.map((r) => r.received_at.getTime()))).toISOString();
  const extension: Extension[] = [];
  if (first.gateway_id)
    extension.push({
      url: GATEWAY_EXTENSION,
      valueReference: { reference: `Device/${gatewayResourceId(first.gateway_id)}` },
    });
  extension.push({ url: TIME_SOURCE_EXTENSION, valueCode: timeSourceOf(first) });
  extension.push(...flagExtensions(flags));

  const obs: Observation = {
    resourceType: 'Observation',
    id: observationId(g.anchor),
    meta: {
      lastUpdated,
      profile: isBp ? [PROFILE.phdCompound, PROFILE.bp] : [PROFILE.phdNumeric, PROFILE.vitalSigns],
    },
    extension,
    identifier: rows.map((r) => ({ system: READING_ID_SYSTEM, value: r.id })),
    status,
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }],
    code: { coding: [], text: '' },
    subject: { reference: `Patient/${first.patient_id}` },
    effectiveDateTime: first.time.toISOString(),
  };
  if (first.recorded_by)
    obs.performer = [
      {
        type: 'Practitioner',
        identifier: { system: USER_ID_SYSTEM, value: first.recorded_by },
        ...(first.recorder_name ? { display: first.recorder_name } : {}),
      },
    ];
  if (first.device_id !== RECORDED) obs.device = { reference: `Device/${deviceResourceId(first.device_id)}` };

  if (isBp) {
    obs.code = {
      coding: [
        { system: LOINC, code: BP_PANEL.loinc, display: BP_PANEL.display },
        { system: MDC, code: BP_PANEL.mdc.code, display: BP_PANEL.mdc.display },
      ],
      text: 'Blood pressure',
    };
    obs.component = rows.map((r): ObservationComponent => {
      const metric = r.metric as Metric;
      const absent = absentReason(r.flags ?? []);
      return {
        code: { coding: codingsOf(metric, false), text: codesOf(metric).display },
        ...(r.value !== null ? { valueQuantity: quantity(r.value, r.unit) } : {}),
        ...(r.value === null && absent ? { dataAbsentReason: absent } : {}),
      };
    });
    return obs;
  }

  const metric: Metric | undefined = isMetric(first.metric) ? first.metric : undefined;
  obs.code = metric
    ? {
        coding: codingsOf(metric, first.group_id !== null && cuffPulseGroups.has(first.group_id)),
        text: codesOf(metric).display,
      }
    : { text: first.metric };
  if (first.code !== null)
    obs.valueCodeableConcept = { coding: [{ system: ACVPU_SYSTEM, code: first.code }], text: first.code };
  else if (first.value !== null) obs.valueQuantity = quantity(first.value, first.unit);
  else
    obs.dataAbsentReason = absentReason(flags) ?? {
      coding: [{ system: DATA_ABSENT_REASON, code: 'unknown', display: 'Unknown' }],
    };
  return obs;
}

/** The Observations of readings, in paging order. */
export function toObservations(rows: readonly ReadingRecord[]): Observation[] {
  const cuff = new Set(rows.flatMap((r) => (isBpMetric(r.metric) && r.group_id ? [r.group_id] : [])));
  return groupReadings(rows).map((g) => toObservation(g, cuff));
}
