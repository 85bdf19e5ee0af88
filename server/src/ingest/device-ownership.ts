/**
 * Issue 11 item 1: only the gateway a device belongs to may write its readings. Inside the
 * commit's transaction the devices of the commit are claimed or looked up (see
 * storage/repos/devices.ts); a reading of a device that belongs to another gateway, or of a
 * device an administrator blocked, is refused with a reason for the sender's ack and a dead
 * letter, and a `foreign_device` event is recorded for the administrators of both homes.
 */
import { type GatewayEvent, topicFor } from '@vitals/contract';
import type { DeadLetter } from '../storage/repos/dead-letters.ts';
import { claimDevices, type DeviceClaim, foreignDevices } from '../storage/repos/devices.ts';
import type { IncomingReading } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';

export interface RefusedReading {
  reading: IncomingReading;
  reason: string;
}

export interface DeviceAdmission {
  admitted: IncomingReading[];
  refused: RefusedReading[];
  /** Gateway events to record in the same transaction. */
  events: { gatewayId: string; event: GatewayEvent }[];
}

/** One claim per device: the gateway that reported it first in this commit, with that gateway's newest time. */
function claimsOf(readings: IncomingReading[], only?: (r: IncomingReading) => boolean): DeviceClaim[] {
  const claims = new Map<string, DeviceClaim>();
  for (const r of readings) {
    if (only && !only(r)) continue;
    const id = r.reading.device.id;
    const c = claims.get(id);
    if (!c)
      claims.set(id, {
        id,
        gatewayId: r.gatewayId,
        ...(r.reading.device.model ? { model: r.reading.device.model } : {}),
        lastSeen: r.reading.time,
      });
    else if (c.gatewayId === r.gatewayId) {
      // Compared as instants: times may carry different UTC offsets.
      if (Date.parse(c.lastSeen) < Date.parse(r.reading.time)) c.lastSeen = r.reading.time;
      if (r.reading.device.model) c.model = r.reading.device.model;
    }
  }
  return [...claims.values()];
}

export async function admitByDevice(tx: Sql, readings: IncomingReading[], now: Date): Promise<DeviceAdmission> {
  const claims = claimsOf(readings);
  const owners = await claimDevices(tx, claims);
  // Rare: the commit holds several gateways' readings of one device and the first of them is
  // not the owner; the owner's readings then still move the device's last-seen time.
  const claimant = new Map(claims.map((c) => [c.id, c.gatewayId]));
  const late = claimsOf(
    readings,
    (r) =>
      owners.get(r.reading.device.id)?.gatewayId === r.gatewayId && claimant.get(r.reading.device.id) !== r.gatewayId,
  );
  if (late.length > 0) await claimDevices(tx, late);

  const admitted: IncomingReading[] = [];
  const refused: RefusedReading[] = [];
  const foreign = new Map<string, { deviceId: string; sender: string; owner: string | null; readings: number }>();
  for (const r of readings) {
    const deviceId = r.reading.device.id;
    const owner = owners.get(deviceId);
    if (!owner || owner.gatewayId !== r.gatewayId) {
      // The owner's id is not revealed to the sender: it may be another organisation's gateway.
      refused.push({
        reading: r,
        reason: owner?.gatewayId
          ? `device ${deviceId} belongs to another gateway; its readings are stored only from that gateway (a device that moved to another home is re-registered by an administrator)`
          : `device ${deviceId} was registered under another organisation; only a gateway of that organisation can report it`,
      });
      const key = `${deviceId}|${r.gatewayId}`;
      const f = foreign.get(key) ?? { deviceId, sender: r.gatewayId, owner: owner?.gatewayId ?? null, readings: 0 };
      f.readings++;
      foreign.set(key, f);
    } else if (!owner.allowed)
      refused.push({
        reading: r,
        reason: `device ${deviceId} is blocked by an administrator (allowed = false); its readings are not stored`,
      });
    else admitted.push(r);
  }

  const time = now.toISOString();
  const events: DeviceAdmission['events'] = [];
  for (const f of foreign.values()) {
    events.push({
      gatewayId: f.sender,
      event: {
        time,
        device: f.deviceId,
        type: 'foreign_device',
        detail: {
          refusedReadings: f.readings,
          reason: f.owner
            ? 'the device belongs to another gateway'
            : 'the device was registered under another organisation',
        },
      },
    });
    if (f.owner)
      events.push({
        gatewayId: f.owner,
        event: {
          time,
          device: f.deviceId,
          type: 'foreign_device',
          detail: { refusedReadings: f.readings, reportedBy: f.sender },
        },
      });
  }
  return { admitted, refused, events };
}

export interface IncomingEvent {
  gatewayId: string;
  event: GatewayEvent;
}

/**
 * Events that name a device speak for it too (a `battery` event opens or clears an alert on the
 * device's patient): an event naming a device that is not the gateway's is refused as a dead
 * letter, never recorded nor handed to the alerts. Events never claim a device.
 */
export async function admitEvents(
  tx: Sql,
  events: IncomingEvent[],
): Promise<{ admitted: IncomingEvent[]; dead: DeadLetter[] }> {
  const naming = events.filter((e) => typeof e.event.device === 'string');
  const foreign = await foreignDevices(
    tx,
    naming.map((e) => ({ deviceId: e.event.device!, gatewayId: e.gatewayId })),
  );
  if (foreign.length === 0) return { admitted: events, dead: [] };
  const refused = new Set(foreign.map((f) => `${f.deviceId}|${f.gatewayId}`));
  const admitted: IncomingEvent[] = [];
  const dead: DeadLetter[] = [];
  for (const e of events) {
    if (e.event.device === undefined || !refused.has(`${e.event.device}|${e.gatewayId}`)) admitted.push(e);
    else
      dead.push({
        gatewayId: e.gatewayId,
        topic: topicFor(e.gatewayId, 'events'),
        reason: `event ${JSON.stringify(e.event.type)} names device ${e.event.device}, which belongs to another gateway or organisation; refused`,
        payload: JSON.stringify(e.event),
      });
  }
  return { admitted, dead };
}
