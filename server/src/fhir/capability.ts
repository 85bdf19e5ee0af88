/** The CapabilityStatement of /fhir/R4/metadata (pure): what the read API serves. */
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { PROFILE } from './codes.ts';

export const FHIR_VERSION = '4.0.1';

export function capabilityStatement(base: string, software: { version: string }): CapabilityStatement {
  const read = [{ code: 'read' as const }];
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-12-03',
    publisher: 'vitals',
    kind: 'instance',
    software: { name: 'vitals', version: software.version },
    implementation: { description: 'vitals home vital-sign monitoring: FHIR R4 read API', url: base },
    fhirVersion: FHIR_VERSION,
    format: ['application/fhir+json', 'json'],
    implementationGuide: ['http://hl7.org/fhir/uv/phd/ImplementationGuide/hl7.fhir.uv.phd'],
    rest: [
      {
        mode: 'server',
        documentation:
          "Bearer token: a signed-in user's session token, or an API client's access token from POST /fhir/R4/auth/token (OAuth 2.0 client credentials). A patient the caller may not see is 404.",
        security: {
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'OAuth',
                  display: 'OAuth',
                },
              ],
            },
          ],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: `${base}/auth/token` }],
            },
          ],
        },
        resource: [
          {
            type: 'Patient',
            interaction: read,
            operation: [
              { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' },
            ],
          },
          {
            type: 'Observation',
            supportedProfile: [PROFILE.phdNumeric, PROFILE.phdCompound],
            interaction: [...read, { code: 'search-type' }],
            searchParam: [
              { name: 'patient', type: 'reference', documentation: 'required: Patient/{id} or {id}' },
              {
                name: 'code',
                type: 'token',
                documentation: 'LOINC or MDC code, system|code; 85354-9 = blood pressure',
              },
              { name: 'date', type: 'date', documentation: 'eq, ge, gt, lt, le; repeat for a range' },
              { name: '_lastUpdated', type: 'date', documentation: 'when the server received the reading' },
              { name: '_count', type: 'number', documentation: '1..1000, default 100' },
            ],
          },
          { type: 'Device', supportedProfile: [PROFILE.phdDevice, PROFILE.phg], interaction: read },
          {
            type: 'Group',
            operation: [
              { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' },
            ],
          },
        ],
      },
    ],
  };
}
