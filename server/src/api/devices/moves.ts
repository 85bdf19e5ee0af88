/**
 * What follows a device's registration at a gateway, for the binding and device routes alike:
 * a move is audited, and both homes hear of it.
 */
import { audit } from '../../storage/repos/audit.ts';
import type { Sql } from '../../storage/sql.ts';
import type { RegisteredDevice } from './registration.ts';

/** Audits a move (re-registration at another gateway) inside the registering transaction. */
export async function auditMove(tx: Sql, by: { userId: string; ip: string }, deviceId: string, d: RegisteredDevice) {
  if (!d.movedFrom) return;
  await audit(tx, {
    userId: by.userId,
    organisationId: d.organisationId,
    action: 'device.move',
    target: deviceId,
    detail: { from: d.movedFrom, to: d.gatewayId },
    ip: by.ip,
  });
}

/**
 * Both homes learn of a move: the new gateway reads the device, the old one stops. Called after
 * commit, so the retained configs say what is stored.
 */
export async function tellGateways(d: RegisteredDevice, publishGatewayConfig: (gatewayId: string) => Promise<void>) {
  if (d.gatewayId) await publishGatewayConfig(d.gatewayId);
  if (d.movedFrom) await publishGatewayConfig(d.movedFrom);
}
