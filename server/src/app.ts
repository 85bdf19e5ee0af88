/**
 * The HTTP application as a plugin: error mapping, auth, routes, dashboard. The server
 * file (server.ts) only bootstraps; tests build this app and use inject().
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { alertSettingsRoutes } from './api/alert-settings.ts';
import { alertRoutes } from './api/alerts.ts';
import { authRoutes } from './api/auth.ts';
import {
  clientErrorHandler,
  errorHandler,
  frameworkErrors,
  MAX_PARAM_LENGTH,
  refuseControlCharacters,
} from './api/client-errors.ts';
import type { AppDeps } from './api/context.ts';
import { gatewayRoutes } from './api/gateways.ts';
import { oncallRoutes } from './api/oncall.ts';
import { patientRoutes } from './api/patients.ts';
import { streamRoutes } from './api/stream.ts';
import { errorBody } from './errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered, for tests that walk them all. */
    registeredRoutes: readonly RouteOptions[];
  }
}

export interface BuildAppOptions {
  deps: AppDeps;
  /** Dashboard assets by URL path, served as they are. */
  dashboard?: Map<string, { contentType: string; body: Buffer }>;
  health(): Promise<{ ok: boolean; checks: Record<string, string> }>;
}

export async function buildApp(o: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Request lines only at warn: a wall display polling every few seconds must not flood the log.
    // Never louder than the server's own level (a silent test server stays silent).
    loggerInstance: o.deps.log.child(
      { component: 'http' },
      { level: o.deps.log.levelVal > o.deps.log.levels.values.warn! ? o.deps.log.level : 'warn' },
    ) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // Unknown fields are an error the caller should hear about, not something silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  });
  const routes: RouteOptions[] = [];
  app.decorate('registeredRoutes', routes);
  app.decorate('deps', o.deps);

  app.setErrorHandler(errorHandler);
  app.addHook('preValidation', refuseControlCharacters);
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}`)),
  );

  // Called directly, not registered: the auth hook must cover every route (no encapsulation).
  await authRoutes(app);
  await patientRoutes(app);
  await gatewayRoutes(app);
  await streamRoutes(app);
  await alertRoutes(app);
  await alertSettingsRoutes(app);
  await oncallRoutes(app);

  app.get('/healthz', async (_req, reply) => {
    const h = await o.health();
    return reply.code(h.ok ? 200 : 503).send({ status: h.ok ? 'ok' : 'unavailable', checks: h.checks });
  });

  if (o.dashboard) {
    for (const [path, asset] of o.dashboard)
      app.get(path, async (_req, reply) =>
        reply.header('content-type', asset.contentType).header('cache-control', 'no-cache').send(asset.body),
      );
  }
  return app;
}
