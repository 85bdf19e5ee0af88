/** The last battery state each device reported. */
import type { Sql } from '../sql.ts';

export async function setBattery(sql: Sql, deviceId: string, level: number | null, low: boolean, at: Date) {
  await sql.query(
    `INSERT INTO device_battery (device_id, level, low, at) VALUES ($1,$2,$3,$4)
     ON CONFLICT (device_id) DO UPDATE SET level = excluded.level, low = excluded.low, at = excluded.at`,
    [deviceId, level, low, at],
  );
}
