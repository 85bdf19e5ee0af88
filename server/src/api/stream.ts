/**
 * Server-sent events: stored readings of the patients the user may see, as they arrive.
 *
 * Access is not settled once at connect (issue 11 item 11): the stream ends at once when its
 * session logs out (the bus's `sessionEnded`), and the session and the visible patients are
 * checked again before an event goes out when the last check is older than ACCESS_TTL_MS, and
 * every SESSION_CHECK_MS in any case, so a removal from a care team, an expired or revoked
 * session, or a logout on another instance takes effect within seconds.
 */
import type { FastifyInstance } from 'fastify';
import type { LiveReading, SessionEnded } from '../live/bus.ts';
import { listVisiblePatients } from '../storage/repos/patients.ts';
import { findSessionUser } from '../storage/repos/people.ts';
import { requireUser } from './auth.ts';

const PING_MS = 15_000;
const ACCESS_TTL_MS = 2_000;
const SESSION_CHECK_MS = 5_000;

export async function streamRoutes(app: FastifyInstance) {
  const { sql, bus } = app.deps;

  app.get('/api/v1/stream', async (req, reply) => {
    const u = requireUser(req);
    const sessionId = req.sessionId;
    let visible = new Set((await listVisiblePatients(sql, u.id)).map((p) => p.id));
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

    let ended = false;
    /** True when the session still exists and the user still may see something; the set refreshed. */
    const recheck = async (): Promise<boolean> => {
      if (!sessionId || !(await findSessionUser(sql, sessionId))) return false;
      visible = new Set((await listVisiblePatients(sql, u.id)).map((p) => p.id));
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
    const onReading = (r: LiveReading) =>
      enqueue(async () => {
        if (ended) return;
        if (Date.now() - checkedAt > ACCESS_TTL_MS && !(await recheck())) return end();
        if (visible.has(r.patientId)) res.write(`event: reading\ndata: ${JSON.stringify(r)}\n\n`);
      });
    const onSessionEnded = (e: SessionEnded) => {
      if (e.sessionId === sessionId) end();
    };
    const ping = setInterval(() => res.write(`event: ping\ndata: {}\n\n`), PING_MS);
    const check = setInterval(
      () =>
        enqueue(async () => {
          if (!ended && !(await recheck())) end();
        }),
      SESSION_CHECK_MS,
    );
    function end() {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      clearInterval(check);
      bus.off('reading', onReading);
      bus.off('sessionEnded', onSessionEnded);
      res.end();
    }
    bus.on('reading', onReading);
    bus.on('sessionEnded', onSessionEnded);
    req.raw.on('close', end);
    res.on('error', end);
  });
}
