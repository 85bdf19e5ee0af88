/**
 * The terminology of the FHIR API in one place: LOINC (from the contract's metric table), the
 * IEEE 11073-10101 (MDC) codes of the HL7 Personal Health Device IG, UCUM, and the systems and
 * profile URLs the resources name. Pure data.
 */
import { METRICS, type Metric } from '@vitals/contract';

export const LOINC = 'http://loinc.org';
export const MDC = 'urn:iso:std:iso:11073:10101';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
export const DATA_ABSENT_REASON = 'http://terminology.hl7.org/CodeSystem/data-absent-reason';

/** Our identifiers: a reading id (the Observation's identifier), a device id, a gateway id, a user. */
export const READING_ID_SYSTEM = 'urn:vitals:reading-id';
export const DEVICE_ID_SYSTEM = 'urn:vitals:device-id';
export const GATEWAY_ID_SYSTEM = 'urn:vitals:gateway-id';
export const USER_ID_SYSTEM = 'urn:vitals:user-id';
export const PATIENT_ID_SYSTEM = 'urn:vitals:patient-id';
/** The contract's reading flags (contract/src/flags.ts), as codes. */
export const FLAG_SYSTEM = 'urn:vitals:reading-flag';
/** ACVPU (NEWS2) consciousness codes. */
export const ACVPU_SYSTEM = 'urn:vitals:acvpu';

export const PROFILE = {
  phdNumeric: 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdNumericObservation',
  phdCompound: 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdCompoundNumericObservation',
  phdDevice: 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhdDevice',
  phg: 'http://hl7.org/fhir/uv/phd/StructureDefinition/PhgDevice',
  vitalSigns: 'http://hl7.org/fhir/StructureDefinition/vitalsigns',
  bp: 'http://hl7.org/fhir/StructureDefinition/bp',
} as const;

/** The R4 core extension the PHD IG uses to name the gateway (PHG) that forwarded an Observation. */
export const GATEWAY_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice';
/** How a reading's time was obtained (the contract's `timeSource` and clock flags). */
export const TIME_SOURCE_EXTENSION = 'urn:vitals:fhir:extension:time-source';
/** A reading flag of the contract that no FHIR element carries (body movement, cuff loose, …). */
export const FLAG_EXTENSION = 'urn:vitals:fhir:extension:reading-flag';

export interface MetricCodes {
  metric: Metric;
  loinc: string;
  /** MDC code (IEEE 11073-10101) as the PHD IG uses it; absent for what care teams record (no device). */
  mdc?: { code: string; display: string };
  display: string;
  /** Extra codings the FHIR vital-signs profile asks for (SpO2: 2708-6). */
  also?: { system: string; code: string; display: string }[];
}

const MDC_CODES: Partial<Record<Metric, { code: string; display: string }>> = {
  bp_systolic: { code: '150021', display: 'MDC_PRESS_BLD_NONINV_SYS' },
  bp_diastolic: { code: '150022', display: 'MDC_PRESS_BLD_NONINV_DIA' },
  bp_mean: { code: '150023', display: 'MDC_PRESS_BLD_NONINV_MEAN' },
  pulse_rate: { code: '149530', display: 'MDC_PULS_OXIM_PULS_RATE' },
  spo2: { code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' },
  perfusion_index: { code: '150488', display: 'MDC_PULS_OXIM_PERF_REL' },
  respiratory_rate: { code: '151562', display: 'MDC_RESP_RATE' },
  body_temperature: { code: '150364', display: 'MDC_TEMP_BODY' },
  body_weight: { code: '188736', display: 'MDC_MASS_BODY_ACTUAL' },
  body_height: { code: '188740', display: 'MDC_LEN_BODY_ACTUAL' },
  bmi: { code: '188752', display: 'MDC_RATIO_MASS_BODY_LEN_SQ' },
  body_fat: { code: '188748', display: 'MDC_BODY_FAT' },
  glucose: { code: '160184', display: 'MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD' },
};

/** A pulse rate measured by a blood-pressure cuff (grouped with its pressures) has its own MDC code. */
export const MDC_PULSE_NONINV = { code: '149546', display: 'MDC_PULS_RATE_NON_INV' };

export function codesOf(metric: Metric): MetricCodes {
  const m = METRICS[metric];
  const mdc = MDC_CODES[metric];
  return {
    metric,
    loinc: m.loinc,
    ...(mdc ? { mdc } : {}),
    display: m.en,
    ...(metric === 'spo2'
      ? { also: [{ system: LOINC, code: '2708-6', display: 'Oxygen saturation in Arterial blood' }] }
      : {}),
  };
}

/** Blood pressure: one Observation with systolic, diastolic and mean as components (PHD IG, FHIR bp profile). */
export const BP_PANEL = {
  loinc: '85354-9',
  display: 'Blood pressure panel with all children optional',
  mdc: { code: '150020', display: 'MDC_PRESS_BLD_NONINV' },
} as const;
export const BP_METRICS = ['bp_systolic', 'bp_diastolic', 'bp_mean'] as const satisfies readonly Metric[];
export const isBpMetric = (m: string): boolean => (BP_METRICS as readonly string[]).includes(m);

/**
 * The metrics a search's `code` token names: a LOINC or MDC code with or without its system
 * (`http://loinc.org|8480-6`, `8480-6`). The BP panel, and each BP component code, find the
 * blood-pressure Observations. Undefined for a code we never produce.
 */
export function metricsOfCode(token: string): Metric[] | undefined {
  const bar = token.lastIndexOf('|');
  const system = bar >= 0 ? token.slice(0, bar) : undefined;
  const code = bar >= 0 ? token.slice(bar + 1) : token;
  const inLoinc = system === undefined || system === LOINC;
  const inMdc = system === undefined || system === MDC;
  if ((inLoinc && code === BP_PANEL.loinc) || (inMdc && code === BP_PANEL.mdc.code)) return [...BP_METRICS];
  if (inMdc && code === MDC_PULSE_NONINV.code) return ['pulse_rate'];
  for (const metric of Object.keys(METRICS) as Metric[]) {
    const c = codesOf(metric);
    const hit =
      (inLoinc && (c.loinc === code || c.also?.some((a) => a.code === code))) || (inMdc && c.mdc?.code === code);
    if (hit) return isBpMetric(metric) ? [...BP_METRICS] : [metric];
  }
  return undefined;
}
