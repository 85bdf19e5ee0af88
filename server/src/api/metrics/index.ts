/** GET /metrics: the Prometheus scrape endpoint (metrics/registry.ts). */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../../errors.ts';
import type { Metrics } from '../../metrics/registry.ts';
import * as schema from './schemas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export const metricsPlugin = fp<{ metrics: Metrics }>(
  async (app, o) => {
    app.decorate('metrics', o.metrics);
  },
  { name: 'metrics', fastify: '5.x' },
);

export const metricsRoutes: FastifyPluginAsyncTypebox<{ token?: string }> = async (app, o) => {
  const expected = o.token ? Buffer.from(o.token) : undefined;
  app.get('/metrics', { schema: schema.metrics }, async (req, reply) => {
    if (expected) {
      const h = req.headers.authorization;
      const given = Buffer.from(h?.startsWith('Bearer ') ? h.slice(7).trim() : '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw unauthorized('send VITALS_METRICS_TOKEN as a bearer token to read the metrics');
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      throw forbidden('metrics are served to loopback only; set VITALS_METRICS_TOKEN to scrape from another host');
    }
    const text = await app.metrics.registry.metrics();
    return reply.header('content-type', app.metrics.registry.contentType).send(text);
  });
};
