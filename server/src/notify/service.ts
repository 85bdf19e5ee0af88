/**
 * The notify service: pages, escalates and delivers. It subscribes to the alert lifecycle's
 * transitions (it implements `AlertNotifications`: cancels the pending pages of an alert that
 * was acknowledged or resolved, queues the site webhook, pages a firing alert) and owns the
 * escalation and delivery timers on the alert clock. Everything it decides is in the database
 * (escalation timers on the alert rows, deliveries in the outbox), so a restart loses nothing.
 */
import type { Logger } from 'pino';
import type { Clock } from '../alerts/clock.ts';
import type { AlertConfig } from '../alerts/config.ts';
import { type AlertNotifications, alertChanged, type Transition } from '../alerts/transitions.ts';
import type { EventBus } from '../events/bus.ts';
import { type AlertRow, updateAlert } from '../storage/repos/alerts.ts';
import { anyPageSent, cancelPendingPages } from '../storage/repos/deliveries.ts';
import { serverSecret } from '../storage/repos/server-secrets.ts';
import type { Sql } from '../storage/sql.ts';
import { type ChannelSet, createChannels } from './channels.ts';
import type { NotifyContext } from './context.ts';
import { applySilences, escalateDue, startPaging } from './escalation.ts';
import { deliverDue } from './outbox.ts';
import { alertConfigProblems } from './settings.ts';
import { queueSiteWebhook } from './site-webhook.ts';

export interface NotifyServiceOptions {
  sql: Sql;
  log: Logger;
  config: AlertConfig;
  /** The alert clock (the alert service runs on the same one). */
  clock: Clock;
  /** Channels to use instead of the real ones (tests). */
  channels?: ChannelSet;
  /**
   * Where this service's own transitions (`paged`, `escalated`, `silenced`,
   * `escalation_stopped`, …) are published as `alert.changed` once committed. The lifecycle's
   * transitions are published by the alert service, which calls `transitioned` directly: each
   * transition is published once.
   */
  events?: EventBus;
}

export class NotifyService implements AlertNotifications {
  readonly ctx: NotifyContext;
  private readonly channels: ChannelSet;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  private delivering: Promise<void> | null = null;
  private deliverAgain = false;
  private stopped = false;
  private secret: Promise<string> | undefined;

  constructor(private readonly o: NotifyServiceOptions) {
    const problems = alertConfigProblems(o.config);
    if (problems.length) throw new Error(`alert settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.channels = o.channels ?? createChannels(o.config);
    this.ctx = {
      sql: o.sql,
      log: o.log,
      clock: o.clock,
      config: o.config,
      notifications: {
        transitioned: async (tx, t) => {
          await this.transitioned(tx, t);
          o.events?.publish('alert.changed', alertChanged(t), { tx });
          if (t.timelineItem) o.events?.publish('timeline.posted', t.timelineItem, { tx });
        },
        page: (tx, a) => this.page(tx, a),
        deliver: () => this.deliver(),
        linkSecret: () => this.linkSecret(),
      },
      linkSecret: () => this.linkSecret(),
      kick: () => this.kick(),
    };
  }

  /** Fetches the link key, then starts the escalation and delivery timers. */
  async start(): Promise<void> {
    // Fetched before any transaction needs it: PGlite has one connection, and a query on
    // it from inside a transaction would wait for that transaction forever.
    await this.linkSecret();
    const every = Number(this.o.config.alertTickMs ?? '1000');
    this.timer = setInterval(
      () => void this.tick().catch((e) => this.o.log.error({ err: e }, 'notification tick failed')),
      every,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.delivering;
    this.channels.close();
  }

  /** One round of the timers: escalations due, then deliveries due. */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        await applySilences(this.ctx);
        await escalateDue(this.ctx);
        await this.deliver();
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  /** Sends every due delivery now. */
  deliver(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    this.delivering = (async () => {
      try {
        do {
          this.deliverAgain = false;
          while ((await deliverDue(this.ctx, this.channels)) > 0) {}
        } while (this.deliverAgain);
      } catch (e) {
        this.o.log.error({ err: e }, 'delivery run failed; the next tick retries');
      } finally {
        this.delivering = null;
      }
    })();
    return this.delivering;
  }

  async transitioned(tx: Sql, t: Transition): Promise<void> {
    // An alert someone acknowledged, or that resolved, needs no more pages.
    if (t.type === 'acknowledged' || t.type === 'resolved') {
      const cancelled = await cancelPendingPages(tx, t.alert.id);
      // Cleared within its grouping wait, so nobody heard of it: should the condition come
      // back (a flap reopens the same alert), it pages then.
      if (t.type === 'resolved' && cancelled > 0 && !(await anyPageSent(tx, t.alert.id)))
        await updateAlert(tx, t.alert.id, { notified_priority: null }, this.o.clock.now());
    }
    await queueSiteWebhook(tx, this.ctx, t);
  }

  page(tx: Sql, alert: AlertRow): Promise<AlertRow> {
    return startPaging(tx, this.ctx, alert);
  }

  linkSecret(): Promise<string> {
    this.secret ??= serverSecret(this.o.sql, 'ack_link');
    return this.secret;
  }

  private kick() {
    if (this.stopped) return;
    // Called inside transactions: run after the commit has had a moment to land.
    setTimeout(() => void this.deliver(), 5).unref();
  }
}
