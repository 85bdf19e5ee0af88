/**
 * System items of the timeline (issue 15): what the system records about a patient, in the
 * same feed as the team's posts. Each is written in the transaction of what it records (an
 * alert transition, an observation, an absence) or by a subscriber to a domain event (a
 * gateway's clock event), named by a `source_key` unique per patient, and given an id derived
 * from that key, so a retried transaction or a second instance never writes it twice and the
 * announcement (`timeline.posted`) can be made from the source alone.
 *
 * System items are `team` sensitivity: whoever may see the patient sees its vitals and alerts
 * (the patient's vitals sensitivity already decides who that is).
 */
import { createHash } from 'node:crypto';
import type { TimelinePosted } from '../events/domain-events.ts';
import { insertTimelineItem, type NewTimelineItem, type TimelineKind } from '../storage/repos/timeline.ts';
import type { Sql } from '../storage/sql.ts';

/** A UUID (version-5 layout) derived from a system item's source: the same source, the same id. */
export function systemItemId(patientId: string, sourceKey: string): string {
  const h = createHash('sha256').update(`${patientId}\n${sourceKey}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

type SystemItem = Omit<NewTimelineItem, 'id' | 'sensitivity' | 'sourceKey'> & { sourceKey: string };

/** Writes a system item unless its source is recorded already; the announcement when it was new. */
export async function recordSystemItem(sql: Sql, i: SystemItem): Promise<TimelinePosted | undefined> {
  const id = systemItemId(i.patientId, i.sourceKey);
  const fresh = await insertTimelineItem(sql, { ...i, id, sensitivity: 'team' });
  return fresh ? posted(id, i.patientId, i.kind, i.time) : undefined;
}

function posted(itemId: string, patientId: string, kind: TimelineKind, time: Date): TimelinePosted {
  return { itemId, patientId, kind, sensitivity: 'team', time: time.toISOString(), change: 'posted' };
}

/** The alert transitions the timeline shows. */
export const ALERT_ITEM_TRANSITIONS: ReadonlySet<string> = new Set(['opened', 'reopened', 'acknowledged', 'resolved']);

export interface AlertTransitionForTimeline {
  alert: { id: string; patient_id: string; rule: string; metric: string | null; priority: string; state: string };
  type: string;
  eventId: number;
  at: Date;
  userId: string | null;
  detail?: Record<string, unknown>;
}

/** Alerts about the equipment (gateway offline, battery low, a silent device): shown as `event` items. */
export const EQUIPMENT_RULES: ReadonlySet<string> = new Set(['gateway_offline', 'battery_low', 'device_silent']);

/**
 * An alert opened, reopened, acknowledged (with the comment and who) or resolved; an
 * equipment alert as an `event` item. Either can be acknowledged from the timeline.
 */
export async function recordAlertItem(tx: Sql, t: AlertTransitionForTimeline): Promise<TimelinePosted | undefined> {
  if (!ALERT_ITEM_TRANSITIONS.has(t.type)) return undefined;
  const note = typeof t.detail?.note === 'string' ? t.detail.note : undefined;
  return recordSystemItem(tx, {
    patientId: t.alert.patient_id,
    kind: EQUIPMENT_RULES.has(t.alert.rule) ? 'event' : 'alert',
    time: t.at,
    authorId: t.userId,
    body: note ?? '',
    sourceKey: `alert-event:${t.eventId}`,
    detail: {
      alertId: t.alert.id,
      rule: t.alert.rule,
      ...(t.alert.metric ? { metric: t.alert.metric } : {}),
      priority: t.alert.priority,
      state: t.alert.state,
      transition: t.type,
      ...(t.detail ?? {}),
      // What the text search finds beside the comment: the rule and the transition.
      summary: `${t.alert.rule} ${t.type}`,
    },
  });
}

export interface ObservedForTimeline {
  observationId: string;
  patientId: string;
  time: Date;
  recordedBy: string;
  supersedes?: string;
  readings: { metric: string; unit: string; value?: number; code?: string }[];
}

/** Observations recorded by the team (values as a frozen detail). */
export function recordObservationItem(tx: Sql, o: ObservedForTimeline): Promise<TimelinePosted | undefined> {
  return recordSystemItem(tx, {
    patientId: o.patientId,
    kind: 'observation',
    time: o.time,
    authorId: o.recordedBy,
    sourceKey: `observation:${o.observationId}`,
    detail: {
      observationId: o.observationId,
      ...(o.supersedes ? { supersedes: o.supersedes } : {}),
      values: o.readings,
      summary: o.readings.map((r) => r.metric).join(' '),
    },
  });
}

export interface AbsenceForTimeline {
  id: string;
  patient_id: string;
  kind: string;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string | null;
  created_at: Date;
}

/** A planned absence (hospital, short stay), at the time it was planned. */
export function recordAbsenceItem(tx: Sql, a: AbsenceForTimeline): Promise<TimelinePosted | undefined> {
  return recordSystemItem(tx, {
    patientId: a.patient_id,
    kind: 'absence',
    time: a.created_at,
    authorId: a.created_by,
    body: a.reason,
    sourceKey: `absence:${a.id}`,
    detail: {
      absenceId: a.id,
      absence: a.kind,
      startsAt: a.starts_at.toISOString(),
      endsAt: a.ends_at.toISOString(),
      summary: a.kind,
    },
  });
}

/** Gateway events a clinician cares about; the rest (outbox, decoding) are the operators'. */
export const CLINICAL_GATEWAY_EVENTS: ReadonlySet<string> = new Set(['clock_adjusted', 'clock_unsynchronised']);
