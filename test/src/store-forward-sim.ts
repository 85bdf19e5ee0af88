/** The simulated store-and-forward pulse oximeter of the store-and-forward tests (see store-forward-gateway.ts). */
import { wallTimeAt } from '@vitals/firmware-sim/ble/wall-clock.ts';

export const SIM_DEVICE = { id: 'ble:5a:00:00:00:00:01', transport: 'ble' as const, model: 'SIM-PLX' };

/** The device's clock shows local time in the home's zone (the server's config says Asia/Tokyo). */
export const SIM_TZ = 'Asia/Tokyo';

/** Record n: device time t0 + n s, SpO2 90 + n % 10, pulse 60 + n % 40. */
export function simRecord(n: number, t0: number) {
  return { spo2: 90 + (n % 10), pulseRate: 60 + (n % 40), time: wallTimeAt(t0 + n * 1000, SIM_TZ) };
}
