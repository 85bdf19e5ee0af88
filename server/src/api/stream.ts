/** Server-sent events: stored readings of the patients the user may see, as they arrive. */
import type { FastifyInstance } from 'fastify';
import type { LiveReading } from '../live/bus.ts';
import { listVisiblePatients } from '../storage/repos/patients.ts';
import { requireUser } from './auth.ts';

const PING_MS = 15_000;
const REFRESH_MS = 30_000;

export async function streamRoutes(app: FastifyInstance) {
  const { sql, bus } = app.deps;

  app.get('/api/v1/stream', async (req, reply) => {
    const u = requireUser(req);
    let visible = new Set((await listVisiblePatients(sql, u.id)).map((p) => p.id));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: hello\ndata: {}\n\n`);
    const onReading = (r: LiveReading) => {
      if (visible.has(r.patientId)) res.write(`event: reading\ndata: ${JSON.stringify(r)}\n\n`);
    };
    bus.on('reading', onReading);
    const ping = setInterval(() => res.write(`event: ping\ndata: {}\n\n`), PING_MS);
    const refresh = setInterval(() => {
      listVisiblePatients(sql, u.id)
        .then((l) => {
          visible = new Set(l.map((p) => p.id));
        })
        .catch(() => {});
    }, REFRESH_MS);
    const close = () => {
      clearInterval(ping);
      clearInterval(refresh);
      bus.off('reading', onReading);
    };
    req.raw.on('close', close);
    res.on('error', close);
  });
}
