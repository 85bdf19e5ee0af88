/**
 * The HTTP application as plugins: error mapping, services, auth, OpenAPI, then the routes,
 * one encapsulated plugin per resource. The server file (server.ts) only bootstraps; tests
 * build this app (test-support/app.ts) and use inject().
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerFactory,
  type RawServerDefault,
  type RouteOptions,
} from 'fastify';
import type { Logger } from 'pino';
import { accessPlugin } from './access/plugin.ts';
import type { AlertService } from './alerts/service.ts';
import { absenceRoutes } from './api/absences/index.ts';
import { alertRuleRoutes } from './api/alert-rules/index.ts';
import { alertRoutes } from './api/alerts/index.ts';
import { apiClientRoutes } from './api/api-clients/index.ts';
import { auditRoutes } from './api/audit/index.ts';
import { authRoutes } from './api/auth/index.ts';
import { authPlugin, type SignInSettings } from './api/auth/session.ts';
import { bindingRoutes } from './api/bindings/index.ts';
import { careTeamRoutes } from './api/care-team/index.ts';
import { contactRoutes } from './api/contacts/index.ts';
import { deadLetterRoutes } from './api/dead-letters/index.ts';
import { deliveryRoutes } from './api/deliveries/index.ts';
import { deviceRoutes } from './api/devices/index.ts';
import { emergencyAccessRoutes } from './api/emergency-access/index.ts';
import { clientErrorHandler, errorsPlugin, frameworkErrors, MAX_PARAM_LENGTH } from './api/errors-plugin.ts';
import { escalationPolicyRoutes } from './api/escalation-policies/index.ts';
import { FHIR_BASE, fhirRoutes } from './api/fhir/index.ts';
import { gatewayRoutes } from './api/gateways/index.ts';
import { healthRoutes } from './api/health/index.ts';
import { metricsPlugin, metricsRoutes } from './api/metrics/index.ts';
import { networkReportRoutes } from './api/network-report/index.ts';
import { news2Routes } from './api/news2/index.ts';
import { observationRoutes } from './api/observations/index.ts';
import { openApiPlugin } from './api/openapi.ts';
import { organisationRoutes } from './api/organisations/index.ts';
import { patientLinkRoutes } from './api/patient-link/index.ts';
import { patientRoutes } from './api/patients/index.ts';
import { peopleRoutes } from './api/people/index.ts';
import { pushRoutes } from './api/push/index.ts';
import { responseCheckPlugin } from './api/response-check.ts';
import { rotaRoutes } from './api/rotas/index.ts';
import { scheduleRoutes } from './api/schedules/index.ts';
import { securityHeadersPlugin } from './api/security-headers.ts';
import {
  alertsPlugin,
  brokerPlugin,
  databasePlugin,
  type EventBus,
  eventsPlugin,
  ingestPlugin,
} from './api/services.ts';
import { settingsHistoryRoutes } from './api/settings-history/index.ts';
import { silenceRoutes } from './api/silences/index.ts';
import { streamRoutes } from './api/stream/index.ts';
import { targetRangeRoutes } from './api/target-ranges/index.ts';
import { timelineRoutes } from './api/timeline/index.ts';
import { wallDisplayRoutes } from './api/wall-displays/index.ts';
import { webhookRoutes } from './api/webhooks/index.ts';
import type { Broker } from './broker/embedded.ts';
import type { Ingest } from './ingest/ingest.ts';
import type { Metrics } from './metrics/registry.ts';
import type { StoredReading } from './storage/repos/readings.ts';
import type { Sql } from './storage/sql.ts';

export type { SignInSettings };

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered, for tests that walk them all. */
    registeredRoutes: readonly RouteOptions[];
  }
}

/** The app's fastify instance: TypeBox schemas type each route's request and reply. */
export type VitalsApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the bootstrap built (server.ts `createServices`), decorated onto the app by the service plugins. */
export interface AppServices {
  sql: Sql;
  log: Logger;
  events: EventBus;
  broker: Broker;
  ingest: Ingest;
  alerts: AlertService;
  publishGatewayConfig(gatewayId: string): Promise<void>;
  readingsStored(rows: StoredReading[]): void;
  sessionTtlSeconds: number;
  emergencyAccessMinutes: number;
  metrics: Metrics;
  /** GET /metrics asks for this bearer token; unset = loopback callers only. */
  metricsToken?: string;
  signIn: SignInSettings;
  /** Gateways older than this are flagged outdated in the fleet view. */
  minGatewayVersion?: string;
}

/** Fastify's trustProxy from VITALS_TRUST_PROXY: a hop count, or the proxy's addresses. */
export function trustProxyOption(
  setting: string | undefined,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (!setting) return false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface BuildAppOptions {
  services: AppServices;
  /** Dashboard assets by URL path, served as they are. */
  dashboard?: Map<string, { contentType: string; body: Buffer }>;
  /** Check every JSON answer against its response schema (api/response-check.ts): on in tests. */
  checkResponses?: boolean;
  /** The API's own TLS listener (VITALS_HTTP_TLS). */
  https?: { cert: Buffer; key: Buffer };
}

export async function buildApp(o: BuildAppOptions): Promise<VitalsApp> {
  const { log } = o.services;
  const tls = o.https;
  // The API's own TLS listener (VITALS_HTTP_TLS): an https server is an http.Server too, so the app's types stay.
  const serverFactory: FastifyServerFactory<RawServerDefault> | undefined = tls
    ? (handler, opts) => {
        // What fastify does for the https server it makes itself (lib/server.js).
        const server = createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
        if (typeof opts.keepAliveTimeout === 'number') server.keepAliveTimeout = opts.keepAliveTimeout;
        if (typeof opts.requestTimeout === 'number') server.requestTimeout = opts.requestTimeout;
        if (typeof opts.connectionTimeout === 'number') server.setTimeout(opts.connectionTimeout);
        return server;
      }
    : undefined;
  const app = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    // Request lines only at warn: a wall display polling every few seconds must not flood the log.
    // Never louder than the server's own level (a silent test server stays silent).
    loggerInstance: log.child(
      { component: 'http' },
      { level: log.levelVal > log.levels.values.warn! ? log.level : 'warn' },
    ) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Behind a TLS-terminating proxy (VITALS_TRUST_PROXY) the client's address and protocol come
    // from X-Forwarded-For/-Proto: the lock-out and audit see the real address, cookies are Secure.
    trustProxy: trustProxyOption(o.services.signIn.trustProxy),
    // Unknown fields are an error the caller should hear about, not something silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const routes: RouteOptions[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });

  // Not encapsulated, registered before any route, so they cover every route.
  await app.register(errorsPlugin);
  await app.register(databasePlugin, { sql: o.services.sql });
  await app.register(eventsPlugin, { events: o.services.events });
  await app.register(brokerPlugin, {
    broker: o.services.broker,
    publishGatewayConfig: o.services.publishGatewayConfig,
  });
  await app.register(ingestPlugin, { ingest: o.services.ingest, readingsStored: o.services.readingsStored });
  await app.register(alertsPlugin, { alerts: o.services.alerts });
  await app.register(metricsPlugin, { metrics: o.services.metrics });
  await app.register(securityHeadersPlugin);
  await app.register(rateLimit, { global: false });
  await app.register(authPlugin, o.services.signIn);
  // Every /api/ route declares who may call it; this refuses a route without, and enforces it.
  await app.register(accessPlugin, { emergencyAccessMinutes: o.services.emergencyAccessMinutes });
  if (o.checkResponses) await app.register(responseCheckPlugin);
  await app.register(openApiPlugin);

  // One encapsulated plugin per resource.
  await app.register(healthRoutes);
  await app.register(metricsRoutes, o.services.metricsToken ? { token: o.services.metricsToken } : {});
  await app.register(authRoutes);
  await app.register(organisationRoutes);
  await app.register(wallDisplayRoutes);
  await app.register(peopleRoutes);
  await app.register(patientRoutes);
  await app.register(careTeamRoutes);
  await app.register(emergencyAccessRoutes);
  await app.register(observationRoutes);
  await app.register(news2Routes);
  await app.register(
    gatewayRoutes,
    o.services.minGatewayVersion ? { minGatewayVersion: o.services.minGatewayVersion } : {},
  );
  await app.register(deviceRoutes);
  await app.register(bindingRoutes);
  await app.register(deadLetterRoutes);
  await app.register(streamRoutes);
  await app.register(alertRoutes);
  await app.register(deliveryRoutes);
  await app.register(alertRuleRoutes);
  await app.register(targetRangeRoutes);
  await app.register(settingsHistoryRoutes);
  await app.register(scheduleRoutes);
  await app.register(absenceRoutes);
  await app.register(silenceRoutes);
  await app.register(escalationPolicyRoutes);
  await app.register(rotaRoutes);
  await app.register(contactRoutes);
  await app.register(pushRoutes);
  await app.register(auditRoutes);
  await app.register(networkReportRoutes);
  await app.register(timelineRoutes);
  await app.register(apiClientRoutes);
  await app.register(webhookRoutes);
  await app.register(fhirRoutes, { prefix: FHIR_BASE });
  await app.register(patientLinkRoutes);

  if (o.dashboard) {
    const assets = o.dashboard;
    await app.register(async (scope) => {
      // Static files, not API: left out of the OpenAPI document.
      for (const [path, asset] of assets)
        scope.get(path, { schema: { hide: true } }, async (_req, reply) =>
          reply.header('content-type', asset.contentType).header('cache-control', 'no-cache').send(asset.body),
        );
    });
  }
  return app;
}
