/**
 * FHIR resource ids of our records. A FHIR id is at most 64 characters of [A-Za-z0-9.-]; a
 * reading or device id may hold ':' and be longer, so resources are named by the md5 of our
 * id (hex), which the database finds again through an index on md5(id) (migration 014). The
 * prefix says which table: `dev-` a measuring device, `phg-` a gateway. Patients keep their uuid.
 */
import { createHash } from 'node:crypto';

export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export const observationId = (anchorReadingId: string): string => md5(anchorReadingId);
export const deviceResourceId = (deviceId: string): string => `dev-${md5(deviceId)}`;
export const gatewayResourceId = (gatewayId: string): string => `phg-${md5(gatewayId)}`;

const HEX32 = /^[0-9a-f]{32}$/;

/** What a Device/{id} names: a measuring device or a gateway, by the md5 of its id; undefined for neither. */
export function parseDeviceResourceId(id: string): { kind: 'device' | 'gateway'; hash: string } | undefined {
  const kind = id.startsWith('dev-') ? 'device' : id.startsWith('phg-') ? 'gateway' : undefined;
  const hash = id.slice(4);
  return kind && HEX32.test(hash) ? { kind, hash } : undefined;
}

export const isObservationId = (id: string): boolean => HEX32.test(id);
