/**
 * Timeline items (issue 15, migration 013): the team's posts and the system's items of one
 * patient in one table. Every read takes the caller's clearance and leaves out what it does
 * not reach (`clearanceReaches`), so no route filters items by hand.
 */
import { searchForm } from '../../text/search-form.ts';
import type { Sql } from '../sql.ts';
import { type Clearance, clearanceReaches, EMERGENCY_CLEARANCE, visiblePatientIds } from './patients.ts';
import type { PhotoMeta } from './timeline-photos.ts';

export const TIMELINE_KINDS = ['post', 'alert', 'observation', 'event', 'digest', 'absence'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineItemRow {
  id: string;
  patient_id: string;
  kind: TimelineKind;
  time: Date;
  audience: string;
  sensitivity: Clearance;
  author_id: string | null;
  author_name: string | null;
  author_profession: string | null;
  body: string;
  tags: string[];
  template: string | null;
  fields: Record<string, unknown> | null;
  snapshot: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
  source_key: string | null;
  reply_to: string | null;
  mentions: string[];
  revision: number;
  edited_at: Date | null;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
  withdraw_reason: string | null;
  created_at: Date;
  /** Read by the member the query was made for. */
  read_by_me: boolean;
  read_count: number;
  reply_count: number;
  /** The item's photos (metadata), null when it has none. */
  photos: PhotoMeta[] | null;
}

/** An item's own columns and its author (`i`, `u`). */
const COLUMNS = `i.id, i.patient_id, i.kind, i.time, i.audience, i.sensitivity, i.author_id,
  u.display_name AS author_name, u.profession AS author_profession, i.body, i.tags, i.template, i.fields,
  i.snapshot, i.detail, i.source_key, i.reply_to, i.mentions, i.revision, i.edited_at, i.withdrawn_at,
  i.withdrawn_by, i.withdraw_reason, i.created_at, i.read_count, i.reply_count`;

/**
 * Around a query of COLUMNS (`inner`, limited): the caller's receipt and the photos of each item.
 * Outside the LIMIT and as a LATERAL probe on purpose: as an EXISTS the planner hashes every
 * receipt of the caller (years of them) instead of probing the page's 50 (pnpm -s bench timeline).
 */
const withExtras = (inner: string, me: string) => `SELECT x.*, mine.item_id IS NOT NULL AS read_by_me,
  (SELECT json_agg(json_build_object('id', ph.id, 'item_id', ph.item_id, 'content_type', ph.content_type,
      'width', ph.width, 'height', ph.height) ORDER BY ph.uploaded_at, ph.id)
     FROM timeline_photos ph WHERE ph.item_id = x.id) AS photos
  FROM (${inner}) x
  LEFT JOIN LATERAL (SELECT r.item_id FROM timeline_receipts r WHERE r.item_id = x.id AND r.user_id = ${me} LIMIT 1) mine ON true
  ORDER BY x.time DESC, x.id DESC`;

export interface NewTimelineItem {
  id: string;
  patientId: string;
  kind: TimelineKind;
  time: Date;
  sensitivity: Clearance;
  authorId?: string | null;
  authorName?: string;
  body?: string;
  tags?: string[];
  template?: string | null;
  fields?: Record<string, unknown> | null;
  snapshot?: Record<string, unknown> | null;
  detail?: Record<string, unknown> | null;
  sourceKey?: string | null;
  replyTo?: string | null;
  mentions?: string[];
}

/** What the text search looks through: body, tags, template fields and the author's name. */
function searchTextOf(i: Pick<NewTimelineItem, 'body' | 'tags' | 'fields' | 'authorName' | 'detail'>): string {
  const parts = [i.body ?? '', ...(i.tags ?? []), i.authorName ?? ''];
  for (const v of Object.values(i.fields ?? {}))
    if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
  const summary = i.detail?.summary;
  if (typeof summary === 'string') parts.push(summary);
  for (const v of (Array.isArray(i.detail?.values) ? i.detail.values : []) as { metric?: unknown }[])
    if (typeof v?.metric === 'string') parts.push(v.metric);
  return searchForm(parts.join('\n'));
}

/**
 * Inserts an item; a system item whose `sourceKey` the patient has already is left as it was
 * (returns false), so a retried transaction or a second subscriber never doubles it.
 */
export async function insertTimelineItem(sql: Sql, i: NewTimelineItem): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO timeline_items (id, patient_id, kind, time, sensitivity, author_id, body, tags, template, fields,
        snapshot, detail, source_key, reply_to, mentions, search_text)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
     ON CONFLICT (patient_id, source_key) WHERE source_key IS NOT NULL DO NOTHING`,
    [
      i.id,
      i.patientId,
      i.kind,
      i.time,
      i.sensitivity,
      i.authorId ?? null,
      i.body ?? '',
      i.tags ?? [],
      i.template ?? null,
      i.fields ? JSON.stringify(i.fields) : null,
      i.snapshot ? JSON.stringify(i.snapshot) : null,
      i.detail ? JSON.stringify(i.detail) : null,
      i.sourceKey ?? null,
      i.replyTo ?? null,
      i.mentions ?? [],
      searchTextOf(i),
    ],
  );
  return r.rowCount > 0;
}

/** The patient and sensitivity of an item (the access core's look-up), whatever the caller. */
export async function timelineItemScope(
  sql: Sql,
  id: string,
): Promise<{ patient_id: string; sensitivity: Clearance } | undefined> {
  const r = await sql.query<{ patient_id: string; sensitivity: Clearance }>(
    'SELECT patient_id, sensitivity FROM timeline_items WHERE id = $1',
    [id],
  );
  return r.rows[0];
}

/** One item as `userId` with `clearance` sees it; undefined when it is not there or above the clearance. */
export async function findTimelineItem(
  sql: Sql,
  id: string,
  userId: string,
  clearance: Clearance,
): Promise<TimelineItemRow | undefined> {
  const r = await sql.query<TimelineItemRow>(
    withExtras(
      `SELECT ${COLUMNS} FROM timeline_items i LEFT JOIN users u ON u.id = i.author_id
        WHERE i.id = $1 AND ${clearanceReaches('$3::text', 'i.sensitivity')}`,
      '$2::uuid',
    ),
    [id, userId, clearance],
  );
  return r.rows[0];
}

/** A visible item locked for a change. */
export async function lockTimelineItem(tx: Sql, id: string): Promise<TimelineItemRow | undefined> {
  const r = await tx.query<TimelineItemRow>(
    `SELECT i.*, NULL AS author_name, false AS read_by_me, NULL AS photos FROM timeline_items i WHERE i.id = $1 FOR UPDATE`,
    [id],
  );
  return r.rows[0];
}

export interface TimelineQuery {
  patientId: string;
  userId: string;
  clearance: Clearance;
  /** Items strictly older than this position (newest first). */
  before?: { time: Date; id?: string };
  limit: number;
  q?: string;
  tag?: string;
  authorId?: string;
  kinds?: TimelineKind[];
  from?: Date;
  to?: Date;
  replyTo?: string;
}

/** A page of a patient's items, newest first; `limit + 1` rows are read to know whether more follow. */
export async function listTimeline(sql: Sql, q: TimelineQuery): Promise<TimelineItemRow[]> {
  const params: unknown[] = [q.patientId, q.userId, q.clearance, q.limit + 1];
  const where = ['i.patient_id = $1', clearanceReaches('$3::text', 'i.sensitivity')];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (q.before) {
    const t = add(q.before.time);
    where.push(
      q.before.id ? `(i.time, i.id) < (${t}::timestamptz, ${add(q.before.id)}::uuid)` : `i.time < ${t}::timestamptz`,
    );
  }
  if (q.from) where.push(`i.time >= ${add(q.from)}::timestamptz`);
  if (q.to) where.push(`i.time < ${add(q.to)}::timestamptz`);
  if (q.kinds?.length) where.push(`i.kind = ANY(${add(q.kinds)}::text[])`);
  if (q.tag) where.push(`${add(q.tag)}::text = ANY(i.tags)`);
  if (q.authorId) where.push(`i.author_id = ${add(q.authorId)}::uuid`);
  if (q.replyTo) where.push(`i.reply_to = ${add(q.replyTo)}::uuid`);
  if (q.q) {
    // Substring on the normalised form: Japanese has no word boundaries to match on.
    const pattern = `%${searchForm(q.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`i.search_text LIKE ${add(pattern)} AND i.withdrawn_at IS NULL`);
  }
  const r = await sql.query<TimelineItemRow>(
    withExtras(
      `SELECT ${COLUMNS} FROM timeline_items i LEFT JOIN users u ON u.id = i.author_id
        WHERE ${where.join(' AND ')} ORDER BY i.time DESC, i.id DESC LIMIT $4`,
      '$2::uuid',
    ),
    params,
  );
  return r.rows;
}

/** An edit: the earlier version goes to timeline_revisions, the item takes the new one. */
export async function reviseTimelineItem(
  tx: Sql,
  before: TimelineItemRow,
  next: { body: string; tags: string[]; fields: Record<string, unknown> | null; sensitivity: Clearance },
  by: { userId: string; authorName: string; at: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO timeline_revisions (item_id, revision, body, tags, fields, sensitivity, written_by, written_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [
      before.id,
      before.revision,
      before.body,
      before.tags,
      before.fields ? JSON.stringify(before.fields) : null,
      before.sensitivity,
      before.author_id,
      before.edited_at ?? before.time,
    ],
  );
  await tx.query(
    `UPDATE timeline_items SET body = $2, tags = $3, fields = $4, sensitivity = $5, search_text = $6,
        revision = revision + 1, edited_at = $7 WHERE id = $1`,
    [
      before.id,
      next.body,
      next.tags,
      next.fields ? JSON.stringify(next.fields) : null,
      next.sensitivity,
      searchTextOf({ body: next.body, tags: next.tags, fields: next.fields, authorName: by.authorName }),
      by.at,
    ],
  );
}

export interface RevisionRow {
  revision: number;
  body: string;
  tags: string[];
  fields: Record<string, unknown> | null;
  sensitivity: Clearance;
  written_at: Date;
}

/** Earlier versions of an item the caller's clearance reaches, oldest first. */
export async function revisionsOf(sql: Sql, itemId: string, clearance: Clearance): Promise<RevisionRow[]> {
  const r = await sql.query<RevisionRow>(
    `SELECT revision, body, tags, fields, sensitivity, written_at FROM timeline_revisions
      WHERE item_id = $1 AND ${clearanceReaches('$2::text', 'sensitivity')} ORDER BY revision`,
    [itemId, clearance],
  );
  return r.rows;
}

export async function withdrawTimelineItem(
  tx: Sql,
  id: string,
  by: { userId: string; reason: string; at: Date },
): Promise<void> {
  await tx.query(
    'UPDATE timeline_items SET withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4, search_text = $5 WHERE id = $1',
    [id, by.at, by.userId, by.reason, ''],
  );
}

/** Patients a gateway's devices are bound to now (a gateway's events concern them). */
export async function patientsOfGateway(sql: Sql, gatewayId: string, at: Date): Promise<string[]> {
  const r = await sql.query<{ patient_id: string }>(
    `SELECT DISTINCT b.patient_id FROM bindings b JOIN devices d ON d.id = b.device_id
      WHERE d.gateway_id = $1 AND b.valid_from <= $2 AND (b.valid_to IS NULL OR b.valid_to > $2)`,
    [gatewayId, at],
  );
  return r.rows.map((x) => x.patient_id);
}

/** Of `userIds`, the care-team members of the patient whose clearance reaches `sensitivity`. */
export async function membersReaching(
  sql: Sql,
  patientId: string,
  userIds: string[],
  sensitivity: Clearance,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const r = await sql.query<{ user_id: string }>(
    `SELECT c.user_id FROM care_team_members c JOIN users u ON u.id = c.user_id
      WHERE c.patient_id = $1 AND c.user_id = ANY($2::uuid[]) AND u.kind = 'person'
        AND ${clearanceReaches('c.clearance', '$3::text')}`,
    [patientId, userIds, sensitivity],
  );
  return new Set(r.rows.map((x) => x.user_id));
}

/** The digest time of a patient's team (patient-local HH:MM). */
export async function setDigestTime(sql: Sql, patientId: string, time: string): Promise<void> {
  await sql.query(
    `INSERT INTO timeline_digest_state (patient_id, local_time) VALUES ($1, $2)
     ON CONFLICT (patient_id) DO UPDATE SET local_time = excluded.local_time`,
    [patientId, time],
  );
}

/**
 * The clearance the user reads each visible patient's items with (the live stream's filter):
 * the care-team member's, or an active emergency access's (EMERGENCY_CLEARANCE).
 */
export async function itemClearances(sql: Sql, userId: string): Promise<Map<string, Clearance>> {
  const r = await sql.query<{ patient_id: string; clearance: Clearance }>(
    `SELECT p.id AS patient_id, coalesce(c.clearance, '${EMERGENCY_CLEARANCE}') AS clearance
       FROM patients p LEFT JOIN care_team_members c ON c.patient_id = p.id AND c.user_id = $1
      WHERE p.id IN ${visiblePatientIds('$1::uuid')}`,
    [userId],
  );
  return new Map(r.rows.map((x) => [x.patient_id, x.clearance]));
}
