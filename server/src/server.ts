/**
 * Bootstraps the server: database (migrated), first administrator, ingest, broker, HTTP.
 * `createServices` builds every service without listening (also used by test-support/app.ts);
 * `startServer` adds the listeners and graceful close; everything else lives in its own module.
 */

import { readFileSync } from 'node:fs';
import { topicFor } from '@vitals/contract';
import type { Logger } from 'pino';
import { alertClock, type Clock } from './alerts/clock.ts';
import { AlertService } from './alerts/service.ts';
import { type AppServices, buildApp, type SignInSettings, type VitalsApp } from './app.ts';
import { hashPassword } from './auth/secrets.ts';
import { type BackupScheduler, startBackupSchedule } from './backup/schedule.ts';
import { createEmbeddedBroker } from './broker/embedded.ts';
import { connectExternalBroker } from './broker/external.ts';
import type { ServerConfig } from './config.ts';
import { openEventBus } from './events/open.ts';
import { Ingest } from './ingest/ingest.ts';
import { startExportWorker } from './interop/bulk-export.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics/registry.ts';
import { startOrgWebhooks } from './notify/org-webhooks.ts';
import { NotifyService } from './notify/service.ts';
import { lockFirstAdminCreation } from './storage/locks.ts';
import { ArrivalLog, startMaintenance } from './storage/maintenance.ts';
import { openDatabase } from './storage/open.ts';
import { gatewayConfig } from './storage/repos/gateways.ts';
import { addMembership, countUsers, createOrganisation, createUser } from './storage/repos/people.ts';
import type { StoredReading } from './storage/repos/readings.ts';
import { enrolTotp } from './storage/repos/sign-in.ts';
import { describeRetention, keptSince, parseRetention } from './storage/retention-policy.ts';
import type { Sql } from './storage/sql.ts';
import { displayText } from './text/display-name.ts';
import { TimelineService } from './timeline/service.ts';

export interface RunningServer {
  httpPort: number;
  mqttPort: number;
  /** The TLS listener's port, when one was configured. */
  mqttsPort?: number;
  mqttWsPort?: number;
  sql: Sql;
  ingest: Ingest;
  alerts: AlertService;
  notify: NotifyService;
  log: Logger;
  /** The HTTP application, for tests that walk its routes or use inject(). */
  app: VitalsApp;
  /** The daily backup, when VITALS_BACKUP_DIR is set. */
  backups?: BackupScheduler;
  close(): Promise<void>;
}

export class StartupError extends Error {}

async function ensureFirstAdmin(sql: Sql, c: ServerConfig, log: Logger) {
  if (!c.adminEmail || !c.adminPassword) {
    if ((await countUsers(sql)) === 0)
      log.warn('no user exists and nobody can log in: set VITALS_ADMIN_EMAIL and VITALS_ADMIN_PASSWORD and restart');
    return;
  }
  if ((await countUsers(sql)) > 0) return;
  const adminName = displayText(c.adminName);
  if (!adminName.ok) throw new StartupError(`VITALS_ADMIN_NAME ${adminName.problem}, then restart`);
  const organisationName = displayText(c.organisationName);
  if (!organisationName.ok)
    throw new StartupError(`VITALS_ORGANISATION_NAME ${organisationName.problem}, then restart`);
  const hash = await hashPassword(c.adminPassword);
  await sql.transaction(async (tx) => {
    // Several instances may start at once on one database: one creates, the others see it.
    await lockFirstAdminCreation(tx);
    if ((await countUsers(tx)) > 0) return;
    const org = await createOrganisation(tx, { name: organisationName.value, kind: 'clinic' });
    const user = await createUser(tx, {
      email: c.adminEmail!,
      displayName: adminName.value,
      profession: 'physician',
      passwordHash: hash,
    });
    await addMembership(tx, user, org, 'admin');
    if (c.adminTotpSecret) await enrolTotp(tx, user, c.adminTotpSecret.replace(/\s+/g, '').toUpperCase());
  });
  // No email in the log (issue 11 item 13): logs travel further than the user table.
  log.info('created the first administrator and organisation');
}

/** The sign-in settings the HTTP app needs (docs/security.md "Sign-in"). */
export function signInSettings(c: ServerConfig): SignInSettings {
  return {
    sessionTtlSeconds: c.sessionTtlSeconds,
    sessionIdleMinutes: c.sessionIdleMinutes,
    adminMfa: c.adminMfa,
    ...(c.adminEmail ? { bootstrapAdminEmail: c.adminEmail } : {}),
    invitationHours: c.invitationHours,
    loginAttemptsPerMinute: c.loginAttemptsPerMinute,
    ...(c.trustProxy ? { trustProxy: c.trustProxy } : {}),
  };
}

function portError(e: unknown, port: number, setting: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `port ${port} is already in use (${setting}). Stop the program using it, or set ${setting} to another port (0 picks a free one).`,
    );
  if (code === 'EACCES') return new StartupError(`port ${port} needs privileges (${setting}); use a port above 1023.`);
  return e as Error;
}

/** Every service of a server, built and started, nothing listening yet. */
export interface Services extends AppServices {
  notify: NotifyService;
  /** Gateway clock events and the daily digest on the timeline (issue 15). */
  timeline: TimelineService;
  /** The daily backup, when VITALS_BACKUP_DIR is set (docs/backups.md). */
  backups?: BackupScheduler;
  /** Stops the services and closes the database, in the reverse order of their start. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  log?: Logger;
  alertClock?: Clock;
}

/**
 * Opens (and migrates) the database, creates the first administrator, and builds maintenance,
 * the broker (not listening), alerts and ingest: the one wiring of the services, used by
 * startServer and by the test app.
 */
export async function createServices(c: ServerConfig, opts: ServiceOptions = {}): Promise<Services> {
  const log = opts.log ?? createLogger(c.logLevel);
  let sql: Sql;
  try {
    sql = await openDatabase({
      ...(c.databaseUrl ? { url: c.databaseUrl } : {}),
      ...(c.databaseSchema ? { schema: c.databaseSchema } : {}),
      dataDir: c.dataDir,
      embeddedTimescaledb: c.embeddedTimescaledb,
      ...(c.embeddedSeed ? { embeddedSeed: c.embeddedSeed } : {}),
    });
  } catch (e) {
    throw new StartupError(
      c.databaseUrl
        ? `cannot open the database at VITALS_DATABASE_URL: ${(e as Error).message}. Check that PostgreSQL runs and the URL is right.`
        : `cannot open the embedded database in ${c.dataDir}: ${(e as Error).message}. Is another server using this data dir (VITALS_DATA_DIR)?`,
    );
  }
  const closers: (() => Promise<void>)[] = [() => sql.close()];
  const closeAll = async () => {
    for (const f of closers.splice(0).reverse()) await f().catch((e) => log.warn({ err: e }, 'error while closing'));
  };
  try {
    await ensureFirstAdmin(sql, c, log);
    const arrivals = sql.backend === 'timescaledb' ? new ArrivalLog() : undefined;
    const retention = parseRetention(c.retentionDays, c.retentionByMetric);
    const kept = keptSince(retention, sql.backend === 'timescaledb');
    if (retention.days.size > 0) log.info({ retention: describeRetention(retention) }, 'raw-reading retention');
    const maintenance = startMaintenance({
      sql,
      ...(arrivals ? { arrivals } : {}),
      log: log.child({ component: 'storage' }),
      retention,
    });
    closers.push(() => maintenance.stop());
    const events = await openEventBus({ sql, log });
    closers.push(() => events.close());
    if (arrivals) {
      // The instance that ingested refreshes its aggregates; others refresh theirs every 5 minutes.
      events.subscribe('readings.stored', (e) => arrivals.note(e.rows), { scope: 'local' });
      events.subscribe('readings.attached', (e) => arrivals.note(e.rows), { scope: 'local' });
    }
    let ingest: Ingest | undefined;
    const publishGatewayConfig = async (gatewayId: string) => {
      const cfg = await gatewayConfig(sql, gatewayId);
      await broker.publish(topicFor(gatewayId, 'config'), JSON.stringify(cfg), { retain: true });
    };
    const broker = c.mqttUrl
      ? await connectExternalBroker({
          url: c.mqttUrl,
          ...(c.mqttUsername ? { username: c.mqttUsername } : {}),
          ...(c.mqttPassword ? { password: c.mqttPassword } : {}),
          instanceId: c.instanceId,
          shareGroup: c.mqttShareGroup,
          shared: c.mqttSharedSubscription,
          protocolVersion: c.mqttProtocolVersion === '4' ? 4 : 5,
          sessionExpirySeconds: c.mqttSessionExpirySeconds,
          sql,
          log,
          ingest: () => ingest!,
        }).catch((e) => {
          throw new StartupError(`${(e as Error).message}. Check VITALS_MQTT_URL and that the broker runs.`);
        })
      : await createEmbeddedBroker({
          sql,
          log,
          ingest: () => ingest!,
          onGatewayReady: (gw) =>
            void publishGatewayConfig(gw).catch((e) => log.warn({ err: e, gatewayId: gw }, 'config publish failed')),
        });
    // One clock for alerts and notify: escalation timers run on the alert clock.
    const clock = opts.alertClock ?? alertClock(c);
    const metrics = createMetrics();
    const notify = new NotifyService({ sql, log: log.child({ component: 'notify' }), config: c, clock, events });
    const alerts = new AlertService({
      sql,
      log: log.child({ component: 'alerts' }),
      config: c,
      clock,
      notifications: notify,
      events,
      observeOpenLatency: (seconds) => metrics.alertOpenLatency.observe(seconds),
    });
    const readingsStored = (rows: StoredReading[]) => events.publish('readings.attached', { rows });
    ingest = new Ingest({
      observeAckLatency: (seconds) => metrics.ackLatency.observe(seconds),
      concurrency: c.databaseUrl ? 2 : 1,
      sql,
      log: log.child({ component: 'ingest' }),
      events,
      publish: (t, p) => broker.publish(t, p),
      maxClockSkewSeconds: c.maxClockSkewSeconds,
      earliestReadingTime: Date.parse(c.earliestReadingTime),
      ...(kept ? { keptSince: kept } : {}),
    });
    closers.push(() => ingest!.stop());
    metrics.attach({
      sql,
      ingest,
      backupsScheduled: !!c.backupDir,
      ...(c.minGatewayVersion ? { minGatewayVersion: c.minGatewayVersion } : {}),
    });
    await notify.start();
    closers.push(() => notify.stop());
    const stopOrgWebhooks = startOrgWebhooks({
      sql,
      events,
      log: log.child({ component: 'webhooks' }),
      publicUrl: c.publicUrl,
      deliver: () => void notify.deliver(),
      // The delivery outbox claims by the alert clock: queue by it too.
      now: () => clock.now(),
    });
    closers.push(async () => stopOrgWebhooks());
    const exportWorker = startExportWorker(sql, log.child({ component: 'fhir-export' }));
    closers.push(() => exportWorker.stop());
    await alerts.start();
    closers.push(() => alerts.stop());
    const timeline = new TimelineService({ sql, log: log.child({ component: 'timeline' }), events, clock });
    timeline.start();
    closers.push(() => timeline.stop());
    closers.push(() => broker.close());
    const backups =
      c.backupDir && c.backupKeyFile
        ? startBackupSchedule({
            sql,
            location: {
              ...(c.databaseUrl ? { databaseUrl: c.databaseUrl } : {}),
              ...(c.databaseSchema ? { databaseSchema: c.databaseSchema } : {}),
              dataDir: c.dataDir,
            },
            schedule: {
              at: c.backupAt,
              timeZone: c.backupTimezone,
              dir: c.backupDir,
              keyFile: c.backupKeyFile,
              keep: c.backupKeep,
            },
            instanceId: c.instanceId,
            log: log.child({ component: 'backup' }),
          })
        : undefined;
    if (backups) closers.push(() => backups.stop());
    return {
      ...(backups ? { backups } : {}),
      sql,
      log,
      events,
      broker,
      ingest,
      alerts,
      notify,
      timeline,
      publishGatewayConfig,
      readingsStored,
      sessionTtlSeconds: c.sessionTtlSeconds,
      emergencyAccessMinutes: c.emergencyAccessMinutes,
      metrics,
      ...(c.metricsToken ? { metricsToken: c.metricsToken } : {}),
      signIn: signInSettings(c),
      ...(c.minGatewayVersion ? { minGatewayVersion: c.minGatewayVersion } : {}),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

export async function startServer(
  c: ServerConfig,
  opts: ServiceOptions & { dashboard?: boolean; checkResponses?: boolean } = {},
): Promise<RunningServer> {
  const services = await createServices(c, opts);
  const { sql, log, broker, ingest, alerts, notify } = services;
  const closers: (() => Promise<void>)[] = [() => services.close()];
  const closeAll = async () => {
    for (const f of closers.splice(0).reverse()) await f().catch((e) => log.warn({ err: e }, 'error while closing'));
  };
  try {
    let mqttPort: number;
    try {
      mqttPort = await broker.listen(c.mqttPort, c.mqttHost);
    } catch (e) {
      throw portError(e, c.mqttPort, 'VITALS_MQTT_PORT');
    }
    let mqttsPort: number | undefined;
    if (c.tlsCert && c.tlsKey && broker.listenTls) {
      try {
        mqttsPort = await broker.listenTls(c.mqttsPort, c.mqttHost, {
          cert: readFileSync(c.tlsCert),
          key: readFileSync(c.tlsKey),
          ...(c.tlsClientCa ? { ca: readFileSync(c.tlsClientCa) } : {}),
        });
      } catch (e) {
        throw portError(e, c.mqttsPort, 'VITALS_MQTTS_PORT');
      }
    }

    let mqttWsPort: number | undefined;
    if (c.mqttWsPort !== undefined && broker.listenWs) {
      try {
        mqttWsPort = await broker.listenWs(
          c.mqttWsPort,
          c.mqttHost,
          c.tlsCert && c.tlsKey ? { cert: readFileSync(c.tlsCert), key: readFileSync(c.tlsKey) } : undefined,
        );
      } catch (e) {
        throw portError(e, c.mqttWsPort, 'VITALS_MQTT_WS_PORT');
      }
    }

    let dashboard: Map<string, { contentType: string; body: Buffer }> | undefined;
    if (opts.dashboard !== false) {
      const { buildDashboard } = await import('@vitals/dashboard');
      dashboard = await buildDashboard({ minify: true });
    }
    const app = await buildApp({
      services,
      ...(c.httpTls && c.tlsCert && c.tlsKey
        ? { https: { cert: readFileSync(c.tlsCert), key: readFileSync(c.tlsKey) } }
        : {}),
      ...(dashboard ? { dashboard } : {}),
      ...(opts.checkResponses ? { checkResponses: true } : {}),
    });
    closers.push(() => app.close());
    let httpPort: number;
    try {
      await app.listen({ port: c.httpPort, host: c.httpHost });
      const addr = app.server.address();
      httpPort = typeof addr === 'object' && addr ? addr.port : c.httpPort;
    } catch (e) {
      throw portError(e, c.httpPort, 'VITALS_HTTP_PORT');
    }
    log.info(
      { http: httpPort, mqtt: mqttPort, mqtts: mqttsPort, mqttWs: mqttWsPort, backend: sql.backend },
      `listening http=${httpPort} mqtt=${mqttPort}${mqttsPort ? ` mqtts=${mqttsPort}` : ''}${mqttWsPort ? ` mqtt-ws=${mqttWsPort}` : ''}`,
    );
    return {
      httpPort,
      mqttPort,
      ...(mqttsPort ? { mqttsPort } : {}),
      ...(mqttWsPort ? { mqttWsPort } : {}),
      sql,
      ingest,
      alerts,
      notify,
      log,
      app,
      ...(services.backups ? { backups: services.backups } : {}),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
