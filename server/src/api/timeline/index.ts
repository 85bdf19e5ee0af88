/**
 * The team timeline (issue 15; schemas in ./schemas.ts, photos in ./photos.ts): posts by named
 * members, system items, read receipts, edits with history, withdrawal, replies, mentions,
 * search, "my unread", copy-as-text. Every item route declares `{ item: 'timeline-item' }`,
 * so the access core checks the item's patient and its sensitivity against the caller's
 * clearance before a handler runs (not visible = 404); lists read with the caller's clearance.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { checkedGrant, checkedPatient, clearanceOf } from '../../access/plugin.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import type { Clearance } from '../../storage/repos/patients.ts';
import {
  findTimelineItem,
  insertTimelineItem,
  listTimeline,
  lockTimelineItem,
  membersReaching,
  reviseTimelineItem,
  revisionsOf,
  setDigestTime,
  TIMELINE_KINDS,
  type TimelineItemRow,
  type TimelineKind,
  withdrawTimelineItem,
} from '../../storage/repos/timeline.ts';
import {
  addOrganisationTag,
  addOrganisationTemplate,
  catalogueOrganisations,
  organisationTags,
  organisationTemplates,
} from '../../storage/repos/timeline-catalogue.ts';
import {
  countNewPost,
  markRead,
  moveUnread,
  notYetReadBy,
  receiptsOf,
  uncountPost,
  unreadOf,
} from '../../storage/repos/timeline-receipts.ts';
import { BUILT_IN_TAGS, BUILT_IN_TEMPLATES, type TemplateDefinition } from '../../timeline/catalogue.ts';
import { queueMentions } from '../../timeline/mentions.ts';
import { periodValues, vitalsSnapshot } from '../../timeline/snapshot.ts';
import { itemText, type Lang, summaryText } from '../../timeline/text.ts';
import { requireUser } from '../auth/session.ts';
import { photoRoutes } from './photos.ts';
import * as schema from './schemas.ts';

type Item = Static<typeof schema.Item>;

const DAY_MS = 86_400_000;
const MAX_SUMMARY_MS = 31 * DAY_MS;

const itemAccess = (need: 'read' | 'write', audit?: string) =>
  ({ item: 'timeline-item', id: 'params.itemId', need, ...(audit ? { audit } : {}) }) as const;

export function photoUrl(itemId: string, photoId: string): string {
  return `/api/v1/timeline/${itemId}/photos/${photoId}`;
}

/** An item row as the API shows it; a withdrawn item keeps its frame, not its words. */
export function itemJson(r: TimelineItemRow): Item {
  const withdrawn = r.withdrawn_at !== null;
  const photos = r.photos ?? [];
  return {
    id: r.id,
    patientId: r.patient_id,
    kind: r.kind,
    time: r.time.toISOString(),
    sensitivity: r.sensitivity,
    audience: r.audience,
    ...(r.author_id
      ? {
          author: {
            id: r.author_id,
            displayName: r.author_name ?? '',
            ...(r.author_profession ? { profession: r.author_profession } : {}),
          },
        }
      : {}),
    body: withdrawn ? '' : r.body,
    tags: withdrawn ? [] : r.tags,
    ...(r.template ? { template: r.template } : {}),
    ...(r.fields && !withdrawn ? { fields: r.fields as Item['fields'] & object } : {}),
    ...(r.snapshot && !withdrawn ? { snapshot: r.snapshot } : {}),
    ...(r.detail ? { detail: r.detail } : {}),
    ...(r.reply_to ? { replyTo: r.reply_to } : {}),
    mentions: r.mentions,
    photos: withdrawn
      ? []
      : photos.map((p) => ({
          id: p.id,
          contentType: p.content_type,
          width: p.width,
          height: p.height,
          url: photoUrl(r.id, p.id),
        })),
    edited: r.edited_at !== null,
    ...(r.edited_at ? { editedAt: r.edited_at.toISOString() } : {}),
    revision: r.revision,
    ...(withdrawn
      ? {
          withdrawn: {
            at: r.withdrawn_at!.toISOString(),
            ...(r.withdrawn_by ? { by: r.withdrawn_by } : {}),
            reason: r.withdraw_reason ?? '',
          },
        }
      : {}),
    read: r.read_by_me,
    readCount: r.read_count,
    replyCount: r.reply_count,
  };
}

/** The `next` cursor: the last item's position, opaque to clients. */
function cursorOf(r: TimelineItemRow): string {
  return Buffer.from(`${r.time.toISOString()}|${r.id}`).toString('base64url');
}

/** `before`: a cursor this API made, or an ISO time. */
function parseBefore(s: string): { time: Date; id?: string } {
  const decoded = Buffer.from(s, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\|([0-9a-f-]{36})$/.exec(decoded);
  if (m) return { time: new Date(m[1]!), id: m[2]! };
  const t = new Date(s);
  if (!/^\d{4}-\d\d-\d\d/.test(s) || Number.isNaN(t.getTime()))
    throw badRequest('before must be the `next` of a previous page or an ISO 8601 time');
  return { time: t };
}

function parseTime(s: string | undefined, name: string): Date | undefined {
  if (s === undefined) return undefined;
  const t = new Date(s);
  if (Number.isNaN(t.getTime())) throw badRequest(`${name} must be an ISO 8601 time`);
  return t;
}

function parseKinds(s: string | undefined): TimelineKind[] | undefined {
  if (s === undefined) return undefined;
  const kinds = s.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(TIMELINE_KINDS as readonly string[]).includes(k))
      throw badRequest(`kind ${JSON.stringify(k)} is not one of ${TIMELINE_KINDS.join(', ')}`);
  return kinds as TimelineKind[];
}

export function langOf(req: FastifyRequest, asked: Lang | undefined): Lang {
  return asked ?? req.user?.locale ?? 'ja';
}

/** The template a post names, from the built-ins and the organisations of the patient's team. */
async function templatesFor(app: { sql: import('../../storage/sql.ts').Sql }, patientId: string) {
  const own = await organisationTemplates(app.sql, await catalogueOrganisations(app.sql, patientId));
  const builtIn = new Set(BUILT_IN_TEMPLATES.map((t) => t.key));
  return [...BUILT_IN_TEMPLATES, ...own.filter((t) => !builtIn.has(t.key))];
}

/** The fields checked against the template: known keys, numbers where it says number. */
function checkFields(
  t: TemplateDefinition | undefined,
  fields: Record<string, string | number> | undefined,
): Record<string, string | number> | null {
  if (!fields || Object.keys(fields).length === 0) return null;
  if (!t) throw badRequest('fields need a template: name one with `template`');
  for (const [k, v] of Object.entries(fields)) {
    const f = t.fields.find((x) => x.key === k);
    if (!f)
      throw badRequest(`template ${t.key} has no field ${k}; its fields are ${t.fields.map((x) => x.key).join(', ')}`);
    if (f.type === 'number' && typeof v !== 'number') throw badRequest(`field ${k} of template ${t.key} is a number`);
  }
  return fields;
}

export const timelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql, events } = app;

  app.post(
    '/api/v1/patients/:id/posts',
    { schema: schema.createPost, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const clearance = clearanceOf(checkedGrant(req));
      const b = req.body;
      const template = b.template ? (await templatesFor(app, p.id)).find((t) => t.key === b.template) : undefined;
      if (b.template && !template)
        throw badRequest(
          `template ${b.template} does not exist; GET /api/v1/patients/${p.id}/post-templates lists them`,
        );
      const fields = checkFields(template, b.fields);
      if (!b.body.trim() && !fields)
        throw badRequest('write something: body is empty and no template field is filled in');
      const sensitivity: Clearance = b.sensitivity ?? template?.sensitivity ?? 'team';
      // Nobody writes what they could not read back.
      const order = { team: 0, clinical: 1, restricted: 2 } as const;
      if (order[sensitivity] > order[clearance])
        throw forbidden(`your clearance (${clearance}) does not reach ${sensitivity}; choose a lower sensitivity`);
      const tags = [...new Set(b.tags ?? [])];
      const known = new Set([
        ...BUILT_IN_TAGS.map((t) => t.key),
        ...(await organisationTags(sql, await catalogueOrganisations(sql, p.id))).map((t) => t.key),
      ]);
      const unknown = tags.filter((t) => !known.has(t));
      if (unknown.length)
        throw badRequest(`unknown tags: ${unknown.join(', ')}; GET /api/v1/patients/${p.id}/post-tags lists them`);
      const mentions = [...new Set((b.mentions ?? []).map((m) => m.toLowerCase()))];
      const reach = await membersReaching(sql, p.id, mentions, sensitivity);
      const unreachable = mentions.filter((m) => !reach.has(m));
      if (unreachable.length)
        throw badRequest(
          `cannot mention ${unreachable.join(', ')}: not a person on this patient's care team with a clearance that reaches ${sensitivity} (a wall display cannot be mentioned)`,
        );
      if (b.replyTo) {
        const parent = await findTimelineItem(sql, b.replyTo, u.id, clearance);
        if (!parent || parent.patient_id !== p.id) throw notFound(`timeline item ${b.replyTo} of this patient`);
        if (parent.reply_to) throw badRequest('replies are one level deep: reply to the post this one replies to');
        if (parent.withdrawn_at) throw new AppError('conflict', 'that post was withdrawn; it takes no replies');
      }
      const now = new Date();
      const wanted = b.snapshot ?? template?.snapshot ?? 'none';
      let snapshot: Record<string, unknown> | null = null;
      if (wanted === 'latest') snapshot = await vitalsSnapshot(sql, p.id, 'latest', now);
      else if (wanted === 'day')
        snapshot = await vitalsSnapshot(sql, p.id, { from: new Date(now.getTime() - DAY_MS), to: now }, now);
      else if (typeof wanted === 'object') {
        const from = new Date(wanted.from);
        const to = new Date(wanted.to);
        if (!(from < to) || to.getTime() - from.getTime() > MAX_SUMMARY_MS)
          throw badRequest('snapshot.from must be before snapshot.to, at most 31 days apart');
        snapshot = await vitalsSnapshot(sql, p.id, { from, to }, now);
      }
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        await insertTimelineItem(tx, {
          id,
          patientId: p.id,
          kind: 'post',
          time: now,
          sensitivity,
          authorId: u.id,
          authorName: u.displayName,
          body: b.body,
          tags,
          template: template?.key ?? null,
          fields,
          snapshot,
          replyTo: b.replyTo?.toLowerCase() ?? null,
          mentions,
        });
        await countNewPost(tx, {
          id,
          patient_id: p.id,
          sensitivity,
          author_id: u.id,
          created_at: now,
          reply_to: b.replyTo?.toLowerCase() ?? null,
        });
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'timeline.post',
          target: id,
          detail: {
            sensitivity,
            tags,
            ...(template ? { template: template.key } : {}),
            ...(b.replyTo ? { replyTo: b.replyTo } : {}),
            mentions,
          },
          ip: req.ip,
        });
        await queueMentions(tx, {
          itemId: id,
          patientId: p.id,
          patientName: p.display_name,
          authorName: u.displayName,
          userIds: mentions.filter((m) => m !== u.id),
          now,
        });
        events.publish(
          'timeline.posted',
          { itemId: id, patientId: p.id, kind: 'post', sensitivity, time: now.toISOString(), change: 'posted' },
          { tx },
        );
      });
      const row = (await findTimelineItem(sql, id, u.id, clearance))!;
      return reply.code(201).send(itemJson(row));
    },
  );

  app.get(
    '/api/v1/patients/:id/timeline',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read', audit: 'timeline.read' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const q = req.query;
      const limit = q.limit ?? 50;
      const from = parseTime(q.from, 'from');
      const to = parseTime(q.to, 'to');
      const kinds = parseKinds(q.kind);
      const rows = await listTimeline(sql, {
        patientId: p.id,
        userId: u.id,
        clearance: clearanceOf(checkedGrant(req)),
        limit,
        ...(q.before ? { before: parseBefore(q.before) } : {}),
        ...(q.q?.trim() ? { q: q.q.trim() } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.author ? { authorId: q.author } : {}),
        ...(kinds ? { kinds } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
      const page = rows.slice(0, limit);
      return { items: page.map(itemJson), ...(rows.length > limit ? { next: cursorOf(page.at(-1)!) } : {}) };
    },
  );

  app.get('/api/v1/timeline/unread', { schema: schema.unread, config: { access: 'visible-list' } }, async (req) => {
    const u = requireUser(req);
    const rows = await unreadOf(sql, u.id);
    await audit(sql, {
      userId: u.id,
      action: 'timeline.unread.read',
      detail: { patients: rows.length },
      ip: req.ip,
    });
    return {
      total: rows.reduce((n, r) => n + r.unread, 0),
      patients: rows.map((r) => ({
        patientId: r.patient_id,
        displayName: r.display_name,
        unread: r.unread,
        newest: r.newest.toISOString(),
      })),
    };
  });

  app.get(
    '/api/v1/timeline/:itemId',
    { schema: schema.item, config: { access: itemAccess('read', 'timeline.item.read') } },
    async (req) => {
      const u = requireUser(req);
      const clearance = clearanceOf(checkedGrant(req));
      const row = await findTimelineItem(sql, req.params.itemId, u.id, clearance);
      if (!row) throw notFound('timeline item');
      const replies = await listTimeline(sql, {
        patientId: row.patient_id,
        userId: u.id,
        clearance,
        limit: 200,
        replyTo: row.id,
      });
      const [item, ...answers] = [row, ...replies.slice(0, 200).reverse()].map(itemJson);
      return {
        ...item!,
        readBy: (await receiptsOf(sql, row.id)).map((r) => ({
          userId: r.user_id,
          displayName: r.display_name,
          at: r.at.toISOString(),
        })),
        notReadBy: (await notYetReadBy(sql, row.id, row.patient_id, row.sensitivity)).map((r) => ({
          userId: r.user_id,
          displayName: r.display_name,
        })),
        replies: answers,
      };
    },
  );

  app.get(
    '/api/v1/timeline/:itemId/replies',
    { schema: schema.replies, config: { access: itemAccess('read', 'timeline.item.read') } },
    async (req) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const rows = await listTimeline(sql, {
        patientId: g.patientId,
        userId: u.id,
        clearance: clearanceOf(g),
        limit: 200,
        replyTo: req.params.itemId,
      });
      return { items: rows.slice(0, 200).reverse().map(itemJson) };
    },
  );

  app.get(
    '/api/v1/timeline/:itemId/revisions',
    { schema: schema.revisions, config: { access: itemAccess('read', 'timeline.item.read') } },
    async (req) => {
      const revisions = await revisionsOf(sql, req.params.itemId, clearanceOf(checkedGrant(req)));
      return {
        revisions: revisions.map((r) => ({
          revision: r.revision,
          body: r.body,
          tags: r.tags,
          ...(r.fields ? { fields: r.fields as Record<string, string | number> } : {}),
          sensitivity: r.sensitivity,
          writtenAt: r.written_at.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/api/v1/timeline/:itemId/read',
    { schema: schema.read, config: { access: itemAccess('write') } },
    async (req, reply) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const itemId = req.params.itemId.toLowerCase();
      const at = new Date();
      await sql.transaction(async (tx) => {
        const item = await lockTimelineItem(tx, itemId);
        if (!item) throw notFound('timeline item');
        if (await markRead(tx, item, u.id, at)) {
          await audit(tx, {
            userId: u.id,
            patientId: g.patientId,
            action: 'timeline.receipt',
            target: itemId,
            ip: req.ip,
          });
          events.publish(
            'timeline.read',
            { itemId, patientId: g.patientId, sensitivity: item.sensitivity, userId: u.id, at: at.toISOString() },
            { tx },
          );
        }
      });
      return reply.code(204).send(null);
    },
  );

  app.patch(
    '/api/v1/timeline/:itemId',
    { schema: schema.edit, config: { access: itemAccess('write') } },
    async (req) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const clearance = clearanceOf(g);
      const itemId = req.params.itemId.toLowerCase();
      const b = req.body;
      await sql.transaction(async (tx) => {
        const item = await lockTimelineItem(tx, itemId);
        if (!item) throw notFound('timeline item');
        if (item.kind !== 'post' || item.author_id !== u.id)
          throw forbidden('only the author of a post can edit it; reply to it instead');
        if (item.withdrawn_at) throw new AppError('conflict', 'this post was withdrawn; it can no longer be edited');
        const template = item.template
          ? (await templatesFor(app, g.patientId)).find((t) => t.key === item.template)
          : undefined;
        const fields = b.fields !== undefined ? checkFields(template, b.fields) : item.fields;
        const sensitivity = b.sensitivity ?? item.sensitivity;
        const order = { team: 0, clinical: 1, restricted: 2 } as const;
        if (order[sensitivity] > order[clearance])
          throw forbidden(`your clearance (${clearance}) does not reach ${sensitivity}; choose a lower sensitivity`);
        const next = {
          body: b.body ?? item.body,
          tags: b.tags ? [...new Set(b.tags)] : item.tags,
          fields: fields as Record<string, unknown> | null,
          sensitivity,
        };
        if (!next.body.trim() && !next.fields)
          throw badRequest('a post cannot be edited to nothing; withdraw it instead');
        const at = new Date();
        await reviseTimelineItem(tx, item, next, { userId: u.id, authorName: u.displayName, at });
        await moveUnread(tx, item, sensitivity);
        await audit(tx, {
          userId: u.id,
          patientId: g.patientId,
          action: 'timeline.edit',
          target: itemId,
          detail: { revision: item.revision + 1, changed: Object.keys(b) },
          ip: req.ip,
        });
        events.publish(
          'timeline.posted',
          // Announced at the lower of the two sensitivities' audiences only if both reach: the higher one.
          {
            itemId,
            patientId: g.patientId,
            kind: 'post',
            sensitivity: order[sensitivity] >= order[item.sensitivity] ? sensitivity : item.sensitivity,
            time: item.time.toISOString(),
            change: 'edited',
          },
          { tx },
        );
      });
      const row = await findTimelineItem(sql, itemId, u.id, clearance);
      if (!row) throw notFound('timeline item');
      return itemJson(row);
    },
  );

  app.post(
    '/api/v1/timeline/:itemId/withdraw',
    { schema: schema.withdraw, config: { access: itemAccess('write') } },
    async (req) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const itemId = req.params.itemId.toLowerCase();
      await sql.transaction(async (tx) => {
        const item = await lockTimelineItem(tx, itemId);
        if (!item) throw notFound('timeline item');
        if (item.kind !== 'post') throw badRequest('only posts are withdrawn; system items record what happened');
        const leads = g.teamRole === 'attending' || g.teamRole === 'lead';
        if (item.author_id !== u.id && !leads)
          throw forbidden('only the author, the attending physician or the team lead can withdraw a post');
        if (item.withdrawn_at) throw new AppError('conflict', 'this post is already withdrawn');
        await uncountPost(tx, item);
        await withdrawTimelineItem(tx, itemId, { userId: u.id, reason: req.body.reason, at: new Date() });
        await audit(tx, {
          userId: u.id,
          patientId: g.patientId,
          action: 'timeline.withdraw',
          target: itemId,
          detail: { reason: req.body.reason },
          ip: req.ip,
        });
        events.publish(
          'timeline.posted',
          {
            itemId,
            patientId: g.patientId,
            kind: 'post',
            sensitivity: item.sensitivity,
            time: item.time.toISOString(),
            change: 'withdrawn',
          },
          { tx },
        );
      });
      const row = (await findTimelineItem(sql, itemId, u.id, clearanceOf(g)))!;
      return itemJson(row);
    },
  );

  app.post(
    '/api/v1/timeline/:itemId/ack',
    { schema: schema.ack, config: { access: itemAccess('write') } },
    async (req, reply) => {
      const u = requireUser(req);
      const row = await findTimelineItem(sql, req.params.itemId, u.id, clearanceOf(checkedGrant(req)));
      const alertId = row?.detail?.alertId;
      if (!row || typeof alertId !== 'string')
        throw badRequest('this item records no alert; only alert items are acknowledged');
      // The same action as POST /api/v1/alerts/{id}/ack: the alert service records it (and its timeline item).
      const r = await app.alerts.acknowledge(alertId, u.id, req.body?.note, req.ip);
      if (!r.ok)
        throw new AppError(
          r.reason === 'resolved' ? 'conflict' : 'not_found',
          r.reason === 'resolved' ? 'this alert is already resolved; nothing to acknowledge' : 'alert not found',
        );
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/timeline/:itemId/text',
    { schema: schema.itemText, config: { access: itemAccess('read', 'timeline.text') } },
    async (req) => {
      const u = requireUser(req);
      const g = checkedGrant(req);
      const p = checkedPatient(req);
      const row = await findTimelineItem(sql, req.params.itemId, u.id, clearanceOf(g));
      if (!row) throw notFound('timeline item');
      const { template: _key, ...json } = itemJson(row);
      const template = row.template
        ? (await templatesFor(app, g.patientId)).find((t) => t.key === row.template)
        : undefined;
      return {
        text: itemText({ ...json, ...(template ? { template } : {}) }, langOf(req, req.query.lang), p.timezone),
      };
    },
  );

  app.get(
    '/api/v1/patients/:id/summary-text',
    {
      schema: schema.summaryText,
      config: { access: { patient: 'params.id', need: 'read', audit: 'timeline.summary-text' } },
    },
    async (req) => {
      const p = checkedPatient(req);
      const to = parseTime(req.query.to, 'to') ?? new Date();
      const from = parseTime(req.query.from, 'from') ?? new Date(to.getTime() - DAY_MS);
      if (!(from < to) || to.getTime() - from.getTime() > MAX_SUMMARY_MS)
        throw badRequest('from must be before to, at most 31 days apart');
      const values = await periodValues(sql, p.id, from, to);
      return {
        text: summaryText(values, { from, to, tz: p.timezone, lang: langOf(req, req.query.lang) }),
        from: from.toISOString(),
        to: to.toISOString(),
      };
    },
  );

  app.get(
    '/api/v1/patients/:id/post-tags',
    {
      schema: schema.catalogueTags,
      config: { access: { patient: 'params.id', need: 'read', audit: 'timeline.catalogue.read' } },
    },
    async (req) => {
      const p = checkedPatient(req);
      const own = await organisationTags(sql, await catalogueOrganisations(sql, p.id));
      const builtIn = new Set(BUILT_IN_TAGS.map((t) => t.key));
      return { tags: [...BUILT_IN_TAGS, ...own.filter((t) => !builtIn.has(t.key))] };
    },
  );

  app.get(
    '/api/v1/patients/:id/post-templates',
    {
      schema: schema.catalogueTemplates,
      config: { access: { patient: 'params.id', need: 'read', audit: 'timeline.catalogue.read' } },
    },
    async (req) => ({ templates: await templatesFor(app, checkedPatient(req).id) }),
  );

  app.post(
    '/api/v1/organisations/:orgId/post-tags',
    { schema: schema.addTag, config: { access: { organisationAdmin: 'params.orgId' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const t = req.body;
      if (BUILT_IN_TAGS.some((b) => b.key === t.key) || !(await addOrganisationTag(sql, req.params.orgId, t)))
        throw new AppError('conflict', `tag ${t.key} exists already; choose another key`);
      await audit(sql, {
        userId: u.id,
        organisationId: req.params.orgId,
        action: 'timeline.tag.add',
        target: t.key,
        detail: t,
        ip: req.ip,
      });
      return reply.code(201).send(t);
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/post-templates',
    { schema: schema.addTemplate, config: { access: { organisationAdmin: 'params.orgId' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const t = { ...req.body, snapshot: req.body.snapshot ?? null };
      if (new Set(t.fields.map((f) => f.key)).size !== t.fields.length) throw badRequest('field keys must be unique');
      if (BUILT_IN_TEMPLATES.some((b) => b.key === t.key) || !(await addOrganisationTemplate(sql, req.params.orgId, t)))
        throw new AppError('conflict', `template ${t.key} exists already; choose another key`);
      await audit(sql, {
        userId: u.id,
        organisationId: req.params.orgId,
        action: 'timeline.template.add',
        target: t.key,
        detail: t,
        ip: req.ip,
      });
      return reply.code(201).send(t);
    },
  );

  app.put(
    '/api/v1/patients/:id/timeline/digest',
    { schema: schema.digestTime, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      await setDigestTime(sql, p.id, req.body.time);
      await audit(sql, {
        userId: u.id,
        patientId: p.id,
        action: 'timeline.digest.time',
        detail: { time: req.body.time },
        ip: req.ip,
      });
      return { time: req.body.time };
    },
  );

  await app.register(photoRoutes);
};
