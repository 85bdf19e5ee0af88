/**
 * Missing data (issue 7): a scheduled measurement not taken by its local due time, a
 * continuous device silent for N minutes, a gateway offline for more than 15 minutes, a
 * device battery low. A planned absence pauses all but the battery. Run on the alert clock.
 */
import type { GatewayEvent } from '@vitals/contract';
import { absentPatients } from '../storage/repos/absences.ts';
import { countReadings } from '../storage/repos/alert-readings.ts';
import { openAlertKeys, openAlertsOfRule } from '../storage/repos/alerts.ts';
import { patientOfDevice, patientsOfGateway, watchedDevices } from '../storage/repos/bound-devices.ts';
import { setBattery } from '../storage/repos/device-battery.ts';
import { gatewayLiveness, setGatewayLiveness, silentGatewaysOffline } from '../storage/repos/gateway-liveness.ts';
import { claimScheduleCheck, listSchedules } from '../storage/repos/schedules.ts';
import type { AlertContext } from './context.ts';
import { clearCondition, reportCondition } from './lifecycle.ts';
import { localParts, localToUtc } from './local-time.ts';

export const GATEWAY_OFFLINE_MS = 15 * 60_000;
export const DEFAULT_SILENT_MINUTES = 10;
/** Devices not heard from for longer than this are put away, not "silent". */
const SILENT_HORIZON_MS = 24 * 3_600_000;
export const BATTERY_LOW_PERCENT = 20;
const BATTERY_OK_PERCENT = 30;

/** Schedule days already checked (a cache: the database's schedule_checks is the truth). */
const checkedDays = new Set<string>();

export async function checkSchedules(ctx: AlertContext): Promise<void> {
  const now = ctx.clock.now();
  const schedules = await listSchedules(ctx.sql);
  const absent = await absentPatients(ctx.sql, [...new Set(schedules.map((s) => s.patient_id))], now);
  const open = await openAlertKeys(ctx.sql, [...new Set(schedules.map((s) => s.patient_id))]);
  for (const s of schedules) {
    const local = localParts(now.getTime(), s.timezone);
    const windowStart = new Date(localToUtc(local.date, s.window_start, s.timezone));
    const due = new Date(localToUtc(local.date, s.due_time, s.timezone));
    // A measurement taken late still closes the day's alert.
    if (
      open.has(`${s.patient_id}|missed_measurement|${s.id}`) &&
      (await countReadings(ctx.sql, s.patient_id, s.metric, windowStart, now)) > 0
    )
      await ctx.sql.transaction((tx) => clearCondition(tx, ctx, s.patient_id, 'missed_measurement', s.id, now));
    if (now < due || !s.weekdays.includes(local.weekday) || checkedDays.has(`${s.id}|${local.date}`)) continue;
    const taken = (await countReadings(ctx.sql, s.patient_id, s.metric, windowStart, due)) > 0;
    const away = absent.has(s.patient_id);
    await ctx.sql.transaction(async (tx) => {
      if (!(await claimScheduleCheck(tx, s.id, local.date, now, !taken && !away))) return;
      if (taken || away) return;
      await reportCondition(tx, ctx, {
        patientId: s.patient_id,
        rule: 'missed_measurement',
        ruleKey: s.id,
        metric: s.metric,
        priority: s.priority,
        onsetAt: due,
        firedAt: due,
        lastSeenAt: now,
        detail: {
          scheduleId: s.id,
          localDate: local.date,
          windowStart: s.window_start,
          dueTime: s.due_time,
          timezone: s.timezone,
          ...(s.label ? { label: s.label } : {}),
        },
      });
    });
    checkedDays.add(`${s.id}|${local.date}`);
  }
}

export async function checkGateways(ctx: AlertContext): Promise<void> {
  const now = ctx.clock.now();
  const silenceMs = Number(ctx.config.gatewaySilenceSeconds ?? '300') * 1000;
  for (const g of await silentGatewaysOffline(ctx.sql, new Date(now.getTime() - silenceMs)))
    ctx.log.warn(
      { gatewayId: g.gateway_id, lastHeard: g.since.toISOString() },
      'gateway silent (no status, readings or events); counted offline since its last message',
    );
  for (const g of await gatewayLiveness(ctx.sql)) {
    if (g.state !== 'offline' || now.getTime() - g.since.getTime() <= GATEWAY_OFFLINE_MS) continue;
    const patients = await patientsOfGateway(ctx.sql, g.gateway_id, now);
    const absent = await absentPatients(ctx.sql, patients, now);
    const open = await openAlertKeys(ctx.sql, patients);
    for (const p of patients) {
      if (absent.has(p) || open.has(`${p}|gateway_offline|${g.gateway_id}`)) continue;
      await ctx.sql.transaction((tx) =>
        reportCondition(tx, ctx, {
          patientId: p,
          rule: 'gateway_offline',
          ruleKey: g.gateway_id,
          priority: 'medium',
          onsetAt: g.since,
          firedAt: new Date(g.since.getTime() + GATEWAY_OFFLINE_MS),
          lastSeenAt: now,
          detail: { gatewayId: g.gateway_id, offlineSince: g.since.toISOString() },
        }),
      );
    }
  }
}

/** A gateway's status message or traffic: online clears its offline alerts. */
export async function gatewaySeen(ctx: AlertContext, gatewayId: string, state: 'online' | 'offline'): Promise<void> {
  const now = ctx.clock.now();
  const changed = await setGatewayLiveness(ctx.sql, gatewayId, state, now);
  if (!changed || state === 'offline') return;
  for (const a of await openAlertsOfRule(ctx.sql, 'gateway_offline'))
    if (a.rule_key === gatewayId)
      await ctx.sql.transaction((tx) => clearCondition(tx, ctx, a.patient_id, 'gateway_offline', gatewayId, now));
}

export async function checkSilentDevices(ctx: AlertContext): Promise<void> {
  const now = ctx.clock.now();
  const watched = await watchedDevices(ctx.sql, now);
  const patients = [...new Set(watched.map((w) => w.patient_id))];
  const absent = await absentPatients(ctx.sql, patients, now);
  const open = await openAlertKeys(ctx.sql, patients);
  for (const w of watched) {
    if (!w.last_seen) continue;
    const minutes = Number(w.override.minutes ?? DEFAULT_SILENT_MINUTES);
    const silentFor = now.getTime() - w.last_seen.getTime();
    const isOpen = open.has(`${w.patient_id}|device_silent|${w.device_id}`);
    if (silentFor <= minutes * 60_000) {
      if (isOpen)
        await ctx.sql.transaction((tx) =>
          clearCondition(tx, ctx, w.patient_id, 'device_silent', w.device_id, w.last_seen!),
        );
      continue;
    }
    if (isOpen || silentFor > SILENT_HORIZON_MS || absent.has(w.patient_id)) continue;
    await ctx.sql.transaction((tx) =>
      reportCondition(tx, ctx, {
        patientId: w.patient_id,
        rule: 'device_silent',
        ruleKey: w.device_id,
        priority: 'low',
        onsetAt: w.last_seen!,
        firedAt: new Date(w.last_seen!.getTime() + minutes * 60_000),
        lastSeenAt: now,
        detail: { deviceId: w.device_id, minutes },
      }),
    );
  }
}

/** A gateway `battery` event: `detail.level` in %, `detail.low` when the device says so. */
export async function batteryEvent(ctx: AlertContext, e: GatewayEvent): Promise<void> {
  if (e.type !== 'battery' || !e.device) return;
  const d = (e.detail ?? {}) as { level?: unknown; low?: unknown };
  const level = typeof d.level === 'number' ? d.level : null;
  const low = d.low === true || (level !== null && level <= BATTERY_LOW_PERCENT);
  const ok = !low && (level === null || level >= BATTERY_OK_PERCENT);
  await batteryState(ctx, e.device, level, low, ok, new Date(e.time));
}

export async function batteryState(
  ctx: AlertContext,
  deviceId: string,
  level: number | null,
  low: boolean,
  ok: boolean,
  at: Date,
): Promise<void> {
  const now = ctx.clock.now();
  await setBattery(ctx.sql, deviceId, level, low, now);
  const patientId = await patientOfDevice(ctx.sql, deviceId, at);
  if (!patientId) return;
  await ctx.sql.transaction(async (tx) => {
    if (low)
      await reportCondition(tx, ctx, {
        patientId,
        rule: 'battery_low',
        ruleKey: deviceId,
        priority: 'low',
        onsetAt: at,
        firedAt: at,
        lastSeenAt: now,
        lastValue: level,
        detail: { deviceId, ...(level !== null ? { level } : {}) },
      });
    else if (ok) await clearCondition(tx, ctx, patientId, 'battery_low', deviceId, at);
  });
}
