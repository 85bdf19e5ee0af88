/**
 * Server-sent events: the readings stored, the alert changes and the timeline's new items and
 * receipts (issue 15; ids only, the item is read through the API) of the patients the user may
 * see, as they happen on any instance (the event bus's cluster scope, issue 12).
 *
 * Access is not settled once at connect (issue 11 item 11): the stream ends at once when its
 * session ends (`session.ended`, published by a logout on any instance); a care-team change of
 * the user re-checks at once; and the session and the visible patients are checked again
 * before an event goes out when the last check is older than ACCESS_TTL_MS, and every
 * SESSION_CHECK_MS in any case, so an expired or revoked session, or a removal nobody
 * announced, takes effect within seconds.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AlertChanged, ReadingsStored, TimelinePosted, TimelineRead } from '../../events/domain-events.ts';
import { auditPatients } from '../../storage/repos/audit.ts';
import { type Clearance, reaches } from '../../storage/repos/patients.ts';
import { findLiveSession } from '../../storage/repos/sessions.ts';
import { itemClearances } from '../../storage/repos/timeline.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

const PING_MS = 15_000;
const ACCESS_TTL_MS = 2_000;
const SESSION_CHECK_MS = 5_000;

/** One `reading` event of the stream. */
export interface LiveReading {
  patientId: string;
  metric: string;
  t: string;
  v: number;
  unit: string;
}

export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql, events } = app;

  app.get('/api/v1/stream', { schema: schema.stream, config: { access: 'visible-list' } }, async (req, reply) => {
    const u = requireUser(req);
    const sessionId = req.sessionId;
    // The visible patients, each with the clearance its timeline items are read with.
    let visible: Map<string, Clearance> = await itemClearances(sql, u.id);
    await auditPatients(sql, { userId: u.id, patientIds: [...visible.keys()], action: 'stream.subscribe', ip: req.ip });
    let checkedAt = Date.now();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: hello\ndata: {}\n\n`);
    app.metrics.streamClients.inc();

    let ended = false;
    /** True when the session still exists and the user still may see something; the set refreshed. */
    const recheck = async (): Promise<boolean> => {
      if (!sessionId || !(await findLiveSession(sql, sessionId, app.signIn.sessionIdleMinutes, false))) return false;
      visible = await itemClearances(sql, u.id);
      checkedAt = Date.now();
      return true;
    };
    // One queue per stream keeps events in order while a check is in flight. A failed check
    // ends the stream (fail closed); the browser reconnects and is checked afresh.
    let queue = Promise.resolve();
    const enqueue = (step: () => Promise<void>) => {
      queue = queue.then(step).catch((err) => {
        req.log.warn({ err }, 'live stream access check failed; ending the stream');
        end();
      });
    };
    /** Writes what `render` makes of the visible patients, after a re-check when the last is stale. */
    const send = (render: () => string) =>
      enqueue(async () => {
        if (ended) return;
        if (Date.now() - checkedAt > ACCESS_TTL_MS && !(await recheck())) return end();
        const text = render();
        if (text) res.write(text);
      });
    const onReadings = ({ rows }: ReadingsStored) =>
      send(() => {
        let text = '';
        for (const r of rows)
          if (r.patient_id && r.value !== null && visible.has(r.patient_id)) {
            const live: LiveReading = {
              patientId: r.patient_id,
              metric: r.metric,
              t: r.time.toISOString(),
              v: r.value,
              unit: r.unit,
            };
            text += `event: reading\ndata: ${JSON.stringify(live)}\n\n`;
          }
        return text;
      });
    const onAlert = (a: AlertChanged) =>
      send(() => (visible.has(a.patientId) ? `event: alert\ndata: ${JSON.stringify(a)}\n\n` : ''));
    /** A timeline change or receipt, only where the caller's clearance reaches the item (issue 15). */
    const reachable = (e: { patientId: string; sensitivity: Clearance }) => {
      const c = visible.get(e.patientId);
      return c !== undefined && reaches(c, e.sensitivity);
    };
    const onTimeline = (e: TimelinePosted) =>
      send(() => (reachable(e) ? `event: timeline\ndata: ${JSON.stringify(e)}\n\n` : ''));
    const onReceipt = (e: TimelineRead) =>
      send(() => (reachable(e) ? `event: timeline-read\ndata: ${JSON.stringify(e)}\n\n` : ''));
    const ping = setInterval(() => res.write(`event: ping\ndata: {}\n\n`), PING_MS);
    const check = setInterval(
      () =>
        enqueue(async () => {
          if (!ended && !(await recheck())) end();
        }),
      SESSION_CHECK_MS,
    );
    const cluster = { scope: 'cluster' } as const;
    const unsubscribe = [
      events.subscribe('readings.stored', onReadings, cluster),
      events.subscribe('alert.changed', onAlert, cluster),
      events.subscribe('timeline.posted', onTimeline, cluster),
      events.subscribe('timeline.read', onReceipt, cluster),
      events.subscribe(
        'session.ended',
        (e) => {
          if (e.sessionId === sessionId) end();
        },
        cluster,
      ),
      events.subscribe(
        'care-team.changed',
        (e) => {
          if (e.userId === u.id)
            enqueue(async () => {
              if (!ended && !(await recheck())) end();
            });
        },
        cluster,
      ),
    ];
    function end() {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      clearInterval(check);
      for (const f of unsubscribe) f();
      app.metrics.streamClients.dec();
      res.end();
    }
    req.raw.on('close', end);
    res.on('error', end);
  });
};
