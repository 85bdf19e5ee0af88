/**
 * Which organisation a device belongs to, and who may register, bind or move it (issue 11).
 *
 * A device belongs to the organisation of its gateway, or, before any gateway has it, to the
 * organisation under which it was registered. A caller may use a device only when it is new or
 * belongs to one of the caller's organisations; another organisation's device looks like no
 * device at all (404). A device moves only between gateways of its own organisation.
 */
import { AppError, forbidden, notFound } from '../../errors.ts';
import { lockDevice, registerNewDevice, updateDevice } from '../../storage/repos/gateways.ts';
import type { Sql } from '../../storage/sql.ts';

export interface DeviceRegistration {
  deviceId: string;
  /** The organisations on whose behalf the caller acts. */
  organisationIds: readonly string[];
  /** The gateway (of one of those organisations) the device is registered at from now on. */
  gateway?: { id: string; organisation_id: string };
  /** Where a new device without a gateway is registered; undefined when the caller has none. */
  newDeviceOrganisation?: string;
  model?: string;
  label?: string;
}

export interface RegisteredDevice {
  organisationId: string;
  /** The device's gateway after the claim, if it has one. */
  gatewayId: string | null;
  registered: boolean;
  /** The gateway the device was registered at before it moved to `gatewayId`. */
  movedFrom?: string;
}

/**
 * Registers the device for the caller, in a transaction: a new one under `gateway`'s or
 * `newDeviceOrganisation`, an existing one only when it is of the caller's organisations, moved
 * to `gateway` when that differs (re-registration).
 */
export async function registerDevice(tx: Sql, c: DeviceRegistration): Promise<RegisteredDevice> {
  const claimOrg = c.gateway?.organisation_id ?? c.newDeviceOrganisation;
  const details = { ...(c.model ? { model: c.model } : {}), ...(c.label ? { label: c.label } : {}) };
  if (
    claimOrg &&
    (await registerNewDevice(tx, {
      id: c.deviceId,
      organisationId: claimOrg,
      ...(c.gateway ? { gatewayId: c.gateway.id } : {}),
      ...details,
    }))
  )
    return { organisationId: claimOrg, gatewayId: c.gateway?.id ?? null, registered: true };

  const device = await lockDevice(tx, c.deviceId);
  let organisationId: string;
  if (device && device.organisation_id !== null && c.organisationIds.includes(device.organisation_id))
    organisationId = device.organisation_id;
  else if (device && device.organisation_id === null && device.gateway_id === null && claimOrg)
    organisationId = claimOrg; // known from before devices had an organisation, and never reported
  else if (device || claimOrg) throw notFound(`device ${c.deviceId}`);
  else throw forbidden('you can register devices only for an organisation you belong to');

  if (c.gateway && c.gateway.organisation_id !== organisationId)
    throw new AppError(
      'conflict',
      `device ${c.deviceId} belongs to another organisation than gateway ${c.gateway.id}; ` +
        'a device moves only between gateways of its own organisation',
    );
  await updateDevice(tx, {
    id: c.deviceId,
    organisationId,
    ...(c.gateway ? { gatewayId: c.gateway.id } : {}),
    ...details,
  });
  const before = device?.gateway_id ?? null;
  const gatewayId = c.gateway?.id ?? before;
  return {
    organisationId,
    gatewayId,
    registered: false,
    ...(before !== null && gatewayId !== before ? { movedFrom: before } : {}),
  };
}
