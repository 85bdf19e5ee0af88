/**
 * Webhooks per organisation and event type (issue 17). Subscribes to the domain events (local
 * scope: once per deployment, on the instance that committed them) and queues one delivery per
 * matching subscription in the delivery outbox (channel `org_webhook`), whose worker signs,
 * sends, retries with backoff and records every attempt (notify/outbox.ts). Payloads carry the
 * minimum necessary: ids and links, never names; reading values only for a subscription whose
 * detail is `data`.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import type { AlertChanged, TimelinePosted } from '../events/domain-events.ts';
import { gatewayResourceId, observationId } from '../fhir/ids.ts';
import { groupReadings, type ReadingRecord } from '../fhir/observation.ts';
import { enqueueDeliveries, type NewDelivery } from '../storage/repos/deliveries.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import {
  subscriptionsForGateway,
  subscriptionsForPatient,
  type WebhookSubscriptionRow,
} from '../storage/repos/webhooks.ts';
import type { Sql } from '../storage/sql.ts';

/** The event types an organisation can subscribe to. */
export const WEBHOOK_EVENTS = [
  'alert.opened',
  'alert.acknowledged',
  'alert.resolved',
  'observation.recorded',
  'gateway.offline',
  'timeline.posted',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const ORG_WEBHOOK_ATTEMPTS = 8;

export interface OrgWebhookOptions {
  sql: Sql;
  events: EventBus;
  log: Logger;
  /** VITALS_PUBLIC_URL: the base of the links in payloads. */
  publicUrl: string | undefined;
  /** Starts sending what was queued. */
  deliver(): void;
  now?: () => Date;
}

/** The links a payload gives about a patient: the dashboard page (an EHR's button) and the FHIR Patient. */
export function patientLinks(base: string, patientId: string) {
  return { page: `${base}/p/${patientId}`, fhir: `${base}/fhir/R4/Patient/${patientId}` };
}

/** The payload of an alert transition (pure). */
export function alertPayload(base: string, e: AlertChanged) {
  return {
    alertId: e.alertId,
    patientId: e.patientId,
    rule: e.rule,
    priority: e.priority,
    state: e.state,
    links: { ...patientLinks(base, e.patientId), alert: `${base}/api/v1/alerts/${e.alertId}` },
  };
}

/** The payload of readings stored for one patient (pure): FHIR Observation ids and a search link; values only with `data`. */
export function observationPayload(base: string, patientId: string, rows: readonly StoredReading[], withData: boolean) {
  const records: ReadingRecord[] = rows.map((r) => ({
    id: r.id,
    patient_id: patientId,
    device_id: r.device_id,
    gateway_id: r.gateway_id,
    metric: r.metric,
    time: r.time,
    value: r.value,
    code: null,
    unit: r.unit,
    time_source: 'device',
    flags: r.flags,
    group_id: null,
    received_at: r.time,
    recorded_by: null,
    recorder_name: null,
  }));
  const groups = groupReadings(records);
  const from = groups[0]!.time.toISOString();
  return {
    patientId,
    observations: groups.map((g) => ({
      id: observationId(g.anchor),
      url: `${base}/fhir/R4/Observation/${observationId(g.anchor)}`,
      effective: g.time.toISOString(),
      ...(withData ? { readings: g.rows.map((r) => ({ metric: r.metric, value: r.value, unit: r.unit })) } : {}),
    })),
    links: {
      ...patientLinks(base, patientId),
      search: `${base}/fhir/R4/Observation?patient=${patientId}&date=ge${from}`,
    },
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

export function startOrgWebhooks(o: OrgWebhookOptions): () => void {
  const base = (o.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const now = o.now ?? (() => new Date());
  const local = { scope: 'local' as const };

  const queue = async (
    type: WebhookEvent,
    subs: readonly WebhookSubscriptionRow[],
    key: string,
    data: (s: WebhookSubscriptionRow) => Record<string, unknown>,
  ) => {
    if (subs.length === 0) return;
    const at = now();
    const list: NewDelivery[] = subs.map((s) => {
      const idempotencyKey = `org:${s.id}:${type}:${key}`;
      return {
        idempotencyKey,
        alertId: null,
        patientId: null,
        event: type,
        channel: 'org_webhook',
        target: s.url,
        subscriptionId: s.id,
        payload: {
          v: 1,
          id: idempotencyKey,
          type,
          at: at.toISOString(),
          organisationId: s.organisation_id,
          data: data(s),
        },
        maxAttempts: ORG_WEBHOOK_ATTEMPTS,
        now: at,
      };
    });
    await enqueueDeliveries(o.sql, list);
    o.deliver();
  };
  const guarded =
    <P>(what: string, f: (p: P) => Promise<void>) =>
    (p: P) =>
      f(p).catch((err) => o.log.error({ err, event: what }, 'could not queue the organisation webhooks'));

  const onAlert = guarded<AlertChanged>('alert.changed', async (e) => {
    const type = (
      { opened: 'alert.opened', acknowledged: 'alert.acknowledged', resolved: 'alert.resolved' } as Record<
        string,
        WebhookEvent
      >
    )[e.transition];
    if (!type) return;
    const subs = await subscriptionsForPatient(o.sql, type, e.patientId);
    await queue(type, subs, `${e.alertId}:${e.at}`, () => alertPayload(base, e));
  });

  const onReadings = guarded<{ rows: StoredReading[] }>('readings', async ({ rows }) => {
    const byPatient = new Map<string, StoredReading[]>();
    for (const r of rows) if (r.patient_id) byPatient.set(r.patient_id, [...(byPatient.get(r.patient_id) ?? []), r]);
    for (const [patientId, mine] of byPatient) {
      const subs = await subscriptionsForPatient(o.sql, 'observation.recorded', patientId);
      await queue('observation.recorded', subs, digest(mine.map((r) => r.id).join('|')), (s) =>
        observationPayload(base, patientId, mine, s.detail === 'data'),
      );
    }
  });

  const onGatewayStatus = guarded<{ gatewayId: string; status: { state?: string; time?: string } }>(
    'gateway.status',
    async ({ gatewayId, status }) => {
      if (status.state !== 'offline') return;
      const subs = await subscriptionsForGateway(o.sql, 'gateway.offline', gatewayId);
      const at = status.time ?? now().toISOString();
      await queue('gateway.offline', subs, `${gatewayId}:${at}`, () => ({
        gatewayId,
        since: at,
        links: { fhirDevice: `${base}/fhir/R4/Device/${gatewayResourceId(gatewayId)}` },
      }));
    },
  );

  // A new post of a member on the timeline (system items have their own events): ids and links
  // only, and only of posts the whole team may see (sensitivity `team`), since a subscription is
  // no member with a clearance.
  const onTimeline = guarded<TimelinePosted>('timeline.posted', async (e) => {
    if (e.change !== 'posted' || e.kind !== 'post' || e.sensitivity !== 'team') return;
    const subs = await subscriptionsForPatient(o.sql, 'timeline.posted', e.patientId);
    await queue('timeline.posted', subs, e.itemId, () => ({
      itemId: e.itemId,
      patientId: e.patientId,
      kind: e.kind,
      time: e.time,
      links: { ...patientLinks(base, e.patientId), item: `${base}/api/v1/timeline/${e.itemId}` },
    }));
  });

  const ends = [
    o.events.subscribe('timeline.posted', onTimeline, local),
    o.events.subscribe('alert.changed', onAlert, local),
    o.events.subscribe('readings.stored', onReadings, local),
    o.events.subscribe('readings.attached', onReadings, local),
    o.events.subscribe('gateway.status', onGatewayStatus, local),
  ];
  return () => {
    for (const end of ends) end();
  };
}
