/** The simulated store-and-forward pulse oximeter of the store-and-forward tests (see store-forward-gateway.ts). */
import { createHash } from 'node:crypto';
import { wallTimeAt } from '@vitals/firmware-sim/ble/wall-clock.ts';

/**
 * The home's oximeter: its address is made from the gateway id, because a device belongs to the
 * gateway that first reported it (issue 11) and several homes of one test share a database.
 */
export function simDevice(gatewayId: string) {
  const b = createHash('sha256').update(gatewayId).digest();
  const address = ['5a', ...[...b.subarray(0, 5)].map((x) => x.toString(16).padStart(2, '0'))].join(':');
  return { id: `ble:${address}`, transport: 'ble' as const, model: 'SIM-PLX' };
}

/** The device's clock shows local time in the home's zone (the server's config says Asia/Tokyo). */
export const SIM_TZ = 'Asia/Tokyo';

/** Record n: device time t0 + n s, SpO2 90 + n % 10, pulse 60 + n % 40. */
export function simRecord(n: number, t0: number) {
  return { spo2: 90 + (n % 10), pulseRate: 60 + (n % 40), time: wallTimeAt(t0 + n * 1000, SIM_TZ) };
}
