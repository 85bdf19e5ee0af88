/**
 * Patient, Device, OperationOutcome and searchset Bundles (pure; no I/O). Devices follow the
 * PHD IG: the measuring device (PhdDevice) with what its Device Information Service reported,
 * the gateway as a PHG (PhgDevice).
 */
import type { Bundle, Device, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { DEVICE_ID_SYSTEM, GATEWAY_ID_SYSTEM, MDC, PATIENT_ID_SYSTEM, PROFILE } from './codes.ts';
import { deviceResourceId, gatewayResourceId } from './ids.ts';

export interface PatientRecord {
  id: string;
  display_name: string;
  birth_date: string | null;
  created_at: Date;
}

export function toPatient(p: PatientRecord): Patient {
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: { lastUpdated: p.created_at.toISOString() },
    identifier: [{ system: PATIENT_ID_SYSTEM, value: p.id }],
    active: true,
    name: [{ text: p.display_name }],
    ...(p.birth_date ? { birthDate: p.birth_date } : {}),
  };
}

export interface DeviceRecord {
  id: string;
  gateway_id: string | null;
  model: string | null;
  label: string | null;
  /** The newest Device Information the gateway reported (its `device_info` event). */
  info: { manufacturerName?: string; modelNumber?: string; serialNumber?: string; firmwareRevision?: string } | null;
  last_seen: Date | null;
  created_at: Date;
}

/** MDC_MOC_VMS_MDS_AHD: the PHD IG's type of a gateway (application hosting device). */
const PHG_TYPE = { system: MDC, code: '531981', display: 'MDC_MOC_VMS_MDS_AHD' };
/** MDC_MOC_VMS_MDS_SIMP: a simple medical device (the PHD). */
const PHD_TYPE = { system: MDC, code: '65573', display: 'MDC_MOC_VMS_MDS_SIMP' };

export function toDevice(d: DeviceRecord): Device {
  const info = d.info ?? {};
  const model = info.modelNumber ?? d.model ?? undefined;
  const name = d.label ?? model;
  return {
    resourceType: 'Device',
    id: deviceResourceId(d.id),
    meta: { profile: [PROFILE.phdDevice], lastUpdated: (d.last_seen ?? d.created_at).toISOString() },
    identifier: [{ system: DEVICE_ID_SYSTEM, value: d.id }],
    status: 'active',
    type: { coding: [PHD_TYPE] },
    ...(info.manufacturerName ? { manufacturer: info.manufacturerName } : {}),
    ...(model ? { modelNumber: model } : {}),
    ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
    ...(name ? { deviceName: [{ name, type: d.label ? 'user-friendly-name' : 'model-name' }] } : {}),
    ...(info.firmwareRevision
      ? {
          version: [
            {
              type: { coding: [{ system: MDC, code: '531975', display: 'MDC_ID_PROD_SPEC_FW' }] },
              value: info.firmwareRevision,
            },
          ],
        }
      : {}),
    ...(d.gateway_id ? { parent: { reference: `Device/${gatewayResourceId(d.gateway_id)}` } } : {}),
  };
}

export interface GatewayRecord {
  id: string;
  label: string | null;
  version: string | null;
  revoked_at: Date | null;
  created_at: Date;
  reported_at: Date | null;
}

export function toGatewayDevice(g: GatewayRecord): Device {
  return {
    resourceType: 'Device',
    id: gatewayResourceId(g.id),
    meta: { profile: [PROFILE.phg], lastUpdated: (g.reported_at ?? g.created_at).toISOString() },
    identifier: [{ system: GATEWAY_ID_SYSTEM, value: g.id }],
    status: g.revoked_at ? 'inactive' : 'active',
    type: { coding: [PHG_TYPE] },
    manufacturer: 'vitals',
    deviceName: [{ name: g.label ?? g.id, type: g.label ? 'user-friendly-name' : 'model-name' }],
    ...(g.version
      ? {
          version: [
            { type: { coding: [{ system: MDC, code: '531976', display: 'MDC_ID_PROD_SPEC_SW' }] }, value: g.version },
          ],
        }
      : {}),
  };
}

export type IssueCode = 'not-found' | 'invalid' | 'login' | 'forbidden' | 'exception' | 'not-supported' | 'too-costly';

export function operationOutcome(
  code: IssueCode,
  diagnostics: string,
  severity: 'error' | 'fatal' = 'error',
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/** A searchset Bundle with its self and (when there is more) next link. */
export function searchset(
  base: string,
  resources: Resource[],
  links: { self: string; next?: string },
  total?: number,
): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    ...(total === undefined ? {} : { total }),
    link: [{ relation: 'self', url: links.self }, ...(links.next ? [{ relation: 'next', url: links.next }] : [])],
    entry: resources.map((r) => ({
      fullUrl: `${base}/${r.resourceType}/${r.id}`,
      resource: r,
      search: { mode: 'match' },
    })),
  };
}
