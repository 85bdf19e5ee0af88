/**
 * The timeline's own work beside the routes (issue 15):
 * - gateway events a clinician cares about (the gateway's clock corrected or not synchronised)
 *   become `event` items of the patients whose devices hang on that gateway; heard with scope
 *   `local`, so the instance that ingested the event writes them, once (source keys);
 * - the daily notable-readings digest of each patient for the previous local day, at the time
 *   the team chose (default 07:00 patient-local), claimed with a row lock so that several
 *   instances make each one once.
 */
import type { GatewayEvent } from '@vitals/contract';
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import type { TimelinePosted } from '../events/domain-events.ts';
import { patientsOfGateway } from '../storage/repos/timeline.ts';
import {
  alertsOpenedIn,
  claimDigest,
  digestCandidates,
  ensureDigestStates,
  missedMeasurements,
} from '../storage/repos/timeline-summary.ts';
import type { Sql } from '../storage/sql.ts';
import { addDays, localParts, localToUtc } from './local-day.ts';
import { periodValues } from './snapshot.ts';
import { CLINICAL_GATEWAY_EVENTS, recordSystemItem } from './system-items.ts';

/** The time the digest runs on: the alert clock (tests move it); alerts/ is not imported here. */
export interface Clock {
  now(): Date;
}

const TICK_MS = 60_000;
const PAGE = 200;

export interface TimelineServiceOptions {
  sql: Sql;
  log: Logger;
  events: EventBus;
  clock: Clock;
}

export class TimelineService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly o: TimelineServiceOptions) {
    this.unsubscribe = [
      o.events.subscribe('gateway.event', (e) => this.onGatewayEvent(e.gatewayId, e.event), { scope: 'local' }),
    ];
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    for (const f of this.unsubscribe) f();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): Promise<unknown> {
    this.running ??= this.makeDueDigests()
      .catch((err: unknown) => this.o.log.error({ err }, 'timeline digests failed; trying again at the next tick'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private announce(items: (TimelinePosted | undefined)[]): void {
    for (const i of items) if (i) this.o.events.publish('timeline.posted', i);
  }

  /** A gateway's clock event as an `event` item of each patient bound to it. Never throws. */
  async onGatewayEvent(gatewayId: string, e: GatewayEvent): Promise<void> {
    if (!CLINICAL_GATEWAY_EVENTS.has(e.type)) return;
    try {
      const time = new Date(e.time);
      const at = Number.isNaN(time.getTime()) ? this.o.clock.now() : time;
      const posted: (TimelinePosted | undefined)[] = [];
      for (const patientId of await patientsOfGateway(this.o.sql, gatewayId, at))
        posted.push(
          await recordSystemItem(this.o.sql, {
            patientId,
            kind: 'event',
            time: at,
            sourceKey: `gateway-event:${gatewayId}:${e.type}:${at.toISOString()}`,
            detail: {
              gatewayId,
              event: e.type,
              ...(e.device ? { device: e.device } : {}),
              ...(e.detail && typeof e.detail === 'object' ? { eventDetail: e.detail as Record<string, unknown> } : {}),
              summary: e.type,
            },
          }),
        );
      this.announce(posted);
    } catch (err) {
      this.o.log.warn({ err, gatewayId, event: e.type }, 'a gateway event could not be put on the timeline');
    }
  }

  /**
   * Makes every digest that is due by now: for each patient whose digest time has passed
   * today (patient-local), the summary of yesterday. Returns how many this instance made.
   */
  async makeDueDigests(): Promise<number> {
    const now = this.o.clock.now();
    await ensureDigestStates(this.o.sql);
    let made = 0;
    let after: string | null = null;
    // A patient-local yesterday is at most the UTC date (UTC+14): digests made up to it are done.
    const horizon = now.toISOString().slice(0, 10);
    for (;;) {
      const page = await digestCandidates(this.o.sql, horizon, after, PAGE);
      for (const c of page) {
        after = c.patient_id;
        const local = localParts(now.getTime(), c.timezone);
        const [h, m] = c.local_time.split(':').map(Number) as [number, number];
        if (local.minutes < h * 60 + m) continue;
        const day = addDays(local.date, -1);
        if (c.last_day !== null && c.last_day >= day) continue;
        if (await this.makeDigest(c.patient_id, c.timezone, day)) made++;
      }
      if (page.length < PAGE) break;
    }
    return made;
  }

  /** One patient's digest of a local day, claimed under a row lock; false when another maker has it. */
  private async makeDigest(patientId: string, timezone: string, day: string): Promise<boolean> {
    const from = new Date(localToUtc(day, '00:00', timezone));
    const to = new Date(localToUtc(addDays(day, 1), '00:00', timezone));
    const posted = await this.o.sql.transaction(async (tx) => {
      if (!(await claimDigest(tx, patientId, day))) return null;
      const values = await periodValues(tx, patientId, from, to);
      const alerts = await alertsOpenedIn(tx, patientId, from, to);
      const missed = await missedMeasurements(tx, patientId, day);
      // Nothing measured, nothing out of band, nothing missed: nothing notable to say.
      if (values.length === 0 && alerts.length === 0 && missed.length === 0) return undefined;
      return recordSystemItem(tx, {
        patientId,
        kind: 'digest',
        time: this.o.clock.now(),
        sourceKey: `digest:${day}`,
        detail: {
          day,
          from: from.toISOString(),
          to: to.toISOString(),
          values,
          outOfBand: alerts,
          missed,
          summary: `digest ${day}`,
        },
      });
    });
    if (posted === null) return false;
    this.announce([posted]);
    return true;
  }
}
