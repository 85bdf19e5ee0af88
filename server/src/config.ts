/**
 * Server settings from the environment (and optionally a JSON config file named by
 * VITALS_CONFIG). Every key is documented here; validation reports every problem at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIsoTime, isValidTimeZone } from '@vitals/contract';
import type { AlertConfig } from './alerts/config.ts';
import { passwordProblem } from './auth/password-policy.ts';
import { isTotpSecret } from './auth/totp.ts';
import { backupAtProblem } from './backup/schedule.ts';
import { ALERT_SETTINGS } from './notify/settings.ts';
import { parseRetention, RetentionError } from './storage/retention-policy.ts';

export interface ServerConfig extends AlertConfig {
  httpPort: number;
  httpHost: string;
  mqttPort: number;
  mqttHost: string;
  mqttsPort: number;
  mqttWsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  /** External broker: the server connects as a client instead of running aedes. */
  mqttUrl?: string;
  mqttUsername?: string;
  mqttPassword?: string;
  mqttShareGroup: string;
  /** false: a plain subscription, for a broker without `$share` (one instance only). */
  mqttSharedSubscription: boolean;
  /** 5, or 4 (MQTT 3.1.1) for a broker without MQTT 5 (NATS). */
  mqttProtocolVersion: string;
  mqttSessionExpirySeconds: number;
  instanceId: string;
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir: string;
  embeddedTimescaledb: boolean;
  embeddedSeed?: string;
  retentionDays: number;
  retentionByMetric?: string;
  backupDir?: string;
  backupKeyFile?: string;
  backupAt: string;
  backupTimezone: string;
  backupKeep: number;
  maxClockSkewSeconds: number;
  earliestReadingTime: string;
  adminEmail?: string;
  adminPassword?: string;
  adminName: string;
  organisationName: string;
  adminTotpSecret?: string;
  adminMfa: boolean;
  sessionTtlSeconds: number;
  emergencyAccessMinutes: number;
  metricsToken?: string;
  sessionIdleMinutes: number;
  invitationHours: number;
  loginAttemptsPerMinute: number;
  httpTls: boolean;
  trustProxy?: string;
  minGatewayVersion?: string;
  logLevel: string;
}

interface Setting {
  env: string;
  key: keyof ServerConfig;
  description: string;
  default?: string;
  kind: 'port' | 'string' | 'seconds' | 'minutes' | 'hours' | 'days' | 'count' | 'boolean';
}

export const SETTINGS: Setting[] = [
  {
    env: 'VITALS_HTTP_PORT',
    key: 'httpPort',
    kind: 'port',
    default: '8080',
    description: 'API and dashboard port; 0 picks a free one',
  },
  {
    env: 'VITALS_HTTP_HOST',
    key: 'httpHost',
    kind: 'string',
    default: '0.0.0.0',
    description: 'address the API listens on',
  },
  {
    env: 'VITALS_MQTT_PORT',
    key: 'mqttPort',
    kind: 'port',
    default: '1883',
    description: 'embedded broker, MQTT over TCP; 0 picks a free one',
  },
  {
    env: 'VITALS_MQTT_HOST',
    key: 'mqttHost',
    kind: 'string',
    default: '0.0.0.0',
    description: 'address the broker listens on',
  },
  {
    env: 'VITALS_MQTTS_PORT',
    key: 'mqttsPort',
    kind: 'port',
    default: '8883',
    description: 'embedded broker, MQTT over TLS (needs VITALS_TLS_CERT and VITALS_TLS_KEY); 0 picks a free one',
  },
  {
    env: 'VITALS_MQTT_WS_PORT',
    key: 'mqttWsPort',
    kind: 'port',
    description:
      'embedded broker, MQTT over WebSocket at path /mqtt (wss:// when VITALS_TLS_CERT is set), for gateways behind proxies that pass only HTTPS; unset = off; 0 picks a free one',
  },
  {
    env: 'VITALS_TLS_CERT',
    key: 'tlsCert',
    kind: 'string',
    description:
      'PEM certificate (chain) of the broker, and of the API when VITALS_HTTP_TLS is on; unset = no TLS listener',
  },
  { env: 'VITALS_TLS_KEY', key: 'tlsKey', kind: 'string', description: 'PEM private key of that certificate' },
  {
    env: 'VITALS_TLS_CLIENT_CA',
    key: 'tlsClientCa',
    kind: 'string',
    description: 'PEM CA that signs gateway client certificates; set = client certificates required',
  },
  {
    env: 'VITALS_MQTT_URL',
    key: 'mqttUrl',
    kind: 'string',
    description: 'external broker (mqtt:// or mqtts://); unset = the embedded broker',
  },
  {
    env: 'VITALS_MQTT_USERNAME',
    key: 'mqttUsername',
    kind: 'string',
    description: "the server's user on the external broker",
  },
  {
    env: 'VITALS_MQTT_PASSWORD',
    key: 'mqttPassword',
    kind: 'string',
    description: "the server's password on the external broker",
  },
  {
    env: 'VITALS_MQTT_SHARE_GROUP',
    key: 'mqttShareGroup',
    kind: 'string',
    default: 'vitals-ingest',
    description: 'shared-subscription group of the server instances',
  },
  {
    env: 'VITALS_MQTT_SHARED_SUBSCRIPTION',
    key: 'mqttSharedSubscription',
    kind: 'boolean',
    default: 'true',
    description:
      'subscribe through $share/VITALS_MQTT_SHARE_GROUP (several instances); false for a broker without shared subscriptions (NATS): then run one instance only',
  },
  {
    env: 'VITALS_MQTT_PROTOCOL_VERSION',
    key: 'mqttProtocolVersion',
    kind: 'string',
    default: '5',
    description: 'MQTT version towards the external broker: 5, or 4 (MQTT 3.1.1) for a broker without MQTT 5 (NATS)',
  },
  {
    env: 'VITALS_MQTT_SESSION_EXPIRY_SECONDS',
    key: 'mqttSessionExpirySeconds',
    kind: 'seconds',
    default: '60',
    description:
      "how long the external broker keeps a disconnected instance's session (MQTT 5): long enough for a restart; while it lasts, Mosquitto still deals that instance its share of the batches, which the gateways re-send after their ack timeout",
  },
  {
    env: 'VITALS_INSTANCE_ID',
    key: 'instanceId',
    kind: 'string',
    default:
      hostname()
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .replace(/^-+/, '') || 'server',
    description: 'stable id of this server instance (its MQTT session on an external broker)',
  },
  {
    env: 'VITALS_DATABASE_URL',
    key: 'databaseUrl',
    kind: 'string',
    description: 'PostgreSQL / TimescaleDB URL; unset = embedded database in the data dir',
  },
  {
    env: 'VITALS_DATABASE_SCHEMA',
    key: 'databaseSchema',
    kind: 'string',
    description: 'PostgreSQL schema to use (created if missing); unset = public',
  },
  {
    env: 'VITALS_DATA_DIR',
    key: 'dataDir',
    kind: 'string',
    default: './data',
    description: 'where the embedded database and server state live',
  },
  {
    env: 'VITALS_EMBEDDED_TIMESCALEDB',
    key: 'embeddedTimescaledb',
    kind: 'boolean',
    default: 'false',
    description: 'embedded database with the TimescaleDB extension (development builds only)',
  },
  {
    env: 'VITALS_MIN_GATEWAY_VERSION',
    key: 'minGatewayVersion',
    kind: 'string',
    description: 'gateways reporting an older software version (or none) are flagged outdated in the fleet view',
  },
  {
    env: 'VITALS_METRICS_TOKEN',
    key: 'metricsToken',
    kind: 'string',
    description: 'bearer token that GET /metrics asks for; unset = served to loopback addresses only',
  },
  {
    env: 'VITALS_EMBEDDED_SEED',
    key: 'embeddedSeed',
    kind: 'string',
    description:
      'a data-dir image (PGlite dumpDataDir, .tar.gz) that a NEW embedded database starts from instead of initialising an empty one; tests use it',
  },
  {
    env: 'VITALS_RETENTION_DAYS',
    key: 'retentionDays',
    kind: 'days',
    default: '0',
    description:
      'raw readings older than this many days are deleted (every backend); the minute/hour/day rollups are kept; 0 keeps them',
  },
  {
    env: 'VITALS_RETENTION_BY_METRIC',
    key: 'retentionByMetric',
    kind: 'string',
    description:
      'raw retention per metric in days, overriding VITALS_RETENTION_DAYS: e.g. spo2=90,pulse=90,body_weight=0 (0 keeps); rollups are kept',
  },
  {
    env: 'VITALS_BACKUP_DIR',
    key: 'backupDir',
    kind: 'string',
    description:
      'the server makes a daily encrypted backup here (with VITALS_BACKUP_KEY_FILE); one instance a day among several, so a directory all instances share; unset = no scheduled backups',
  },
  {
    env: 'VITALS_BACKUP_KEY_FILE',
    key: 'backupKeyFile',
    kind: 'string',
    description:
      'the key file of scheduled backups (`pnpm -s run server backup-key --out FILE`); keep a copy apart from the backups',
  },
  {
    env: 'VITALS_BACKUP_AT',
    key: 'backupAt',
    kind: 'string',
    default: '03:00',
    description:
      'local time of day (HH:MM, in VITALS_BACKUP_TIMEZONE) of the scheduled backup; a missed one is made at the next start',
  },
  {
    env: 'VITALS_BACKUP_TIMEZONE',
    key: 'backupTimezone',
    kind: 'string',
    default: 'Asia/Tokyo',
    description: 'the IANA zone of VITALS_BACKUP_AT',
  },
  {
    env: 'VITALS_BACKUP_KEEP',
    key: 'backupKeep',
    kind: 'count',
    default: '7',
    description:
      'scheduled backup generations kept in VITALS_BACKUP_DIR (at least 3, MHLW guideline); copy one offline weekly',
  },
  {
    env: 'VITALS_MAX_CLOCK_SKEW_SECONDS',
    key: 'maxClockSkewSeconds',
    kind: 'seconds',
    default: '600',
    description:
      "readings dated more than this many seconds ahead of the server's clock are refused (dead letters): a wrong clock would freeze the latest value",
  },
  {
    env: 'VITALS_EARLIEST_READING_TIME',
    key: 'earliestReadingTime',
    kind: 'string',
    default: '2015-01-01T00:00:00Z',
    description:
      'readings dated before this ISO 8601 time are refused (dead letters): a reset device clock (the gateway re-stamps device times before 2015 itself; stored histories of meters are later)',
  },
  {
    env: 'VITALS_ADMIN_EMAIL',
    key: 'adminEmail',
    kind: 'string',
    description: 'create this administrator at start if no user exists',
  },
  {
    env: 'VITALS_ADMIN_PASSWORD',
    key: 'adminPassword',
    kind: 'string',
    description: 'password of that administrator: 12 to 128 characters, not the email or name, not a common password',
  },
  {
    env: 'VITALS_ADMIN_TOTP_SECRET',
    key: 'adminTotpSecret',
    kind: 'string',
    description:
      'base32 TOTP secret that enrols the first administrator with a second factor, so automated callers can compute codes',
  },
  {
    env: 'VITALS_ADMIN_MFA',
    key: 'adminMfa',
    kind: 'boolean',
    default: 'true',
    description:
      'administrators must sign in with a second factor; one without it gets a session that can only enrol one. Turn off only for tests and demos',
  },
  {
    env: 'VITALS_ADMIN_NAME',
    key: 'adminName',
    kind: 'string',
    default: 'Administrator',
    description: 'display name of that administrator',
  },
  {
    env: 'VITALS_ORGANISATION_NAME',
    key: 'organisationName',
    kind: 'string',
    default: 'Home-care clinic',
    description: 'name of the first organisation of a fresh installation',
  },
  {
    env: 'VITALS_SESSION_TTL',
    key: 'sessionTtlSeconds',
    kind: 'seconds',
    default: '43200',
    description: 'absolute lifetime of a login session in seconds, however active it is (12 h)',
  },
  {
    env: 'VITALS_SESSION_IDLE_MINUTES',
    key: 'sessionIdleMinutes',
    kind: 'minutes',
    default: '30',
    description: 'a session unused for this many minutes ends',
  },
  {
    env: 'VITALS_INVITATION_HOURS',
    key: 'invitationHours',
    kind: 'hours',
    default: '72',
    description: 'how long an invitation or password-reset token stays usable',
  },
  {
    env: 'VITALS_LOGIN_ATTEMPTS_PER_MINUTE',
    key: 'loginAttemptsPerMinute',
    kind: 'count',
    default: '30',
    description:
      'sign-in requests (password, second factor, invitation) one address may make per minute on one server instance; the per-account lock-out is separate and shared by all instances',
  },
  {
    env: 'VITALS_HTTP_TLS',
    key: 'httpTls',
    kind: 'boolean',
    default: 'false',
    description: 'serve the API and dashboard over HTTPS on VITALS_HTTP_PORT with VITALS_TLS_CERT and VITALS_TLS_KEY',
  },
  {
    env: 'VITALS_TRUST_PROXY',
    key: 'trustProxy',
    kind: 'string',
    description:
      'a TLS-terminating reverse proxy in front: its address(es) or CIDR, comma-separated, or a hop count; X-Forwarded-For and X-Forwarded-Proto are then believed (cookies become Secure). Unset = no proxy',
  },
  {
    env: 'VITALS_EMERGENCY_ACCESS_MINUTES',
    key: 'emergencyAccessMinutes',
    kind: 'seconds',
    default: '60',
    description: 'how many minutes an emergency access (break-glass) to a patient lasts before it ends by itself',
  },
  {
    env: 'VITALS_LOG_LEVEL',
    key: 'logLevel',
    kind: 'string',
    default: 'info',
    description: 'pino log level: fatal, error, warn, info, debug, trace',
  },
  ...ALERT_SETTINGS,
];

const MAX_OF_KIND = { port: 65535, seconds: 31_536_000, minutes: 525_600, hours: 8760, days: 36_500, count: 1_000_000 };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  if (env.VITALS_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.VITALS_CONFIG, 'utf8'));
    } catch (e) {
      problems.push(`VITALS_CONFIG=${env.VITALS_CONFIG}: cannot read it as JSON (${(e as Error).message})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = env[s.env] ?? (file[s.key] === undefined ? undefined : String(file[s.key])) ?? s.default;
    if (raw === undefined || raw === '') continue;
    if (s.kind === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw))
        problems.push(`${s.env}=${raw}: must be true or false (${s.description})`);
      else out[s.key] = raw === 'true' || raw === '1';
    } else if (s.kind !== 'string') {
      const n = Number(raw);
      const max = MAX_OF_KIND[s.kind];
      if (!Number.isInteger(n) || n < 0 || n > max)
        problems.push(`${s.env}=${raw}: must be a whole number from 0 to ${max} (${s.description})`);
      else out[s.key] = n;
    } else out[s.key] = raw;
  }
  if ((out.adminEmail === undefined) !== (out.adminPassword === undefined))
    problems.push('VITALS_ADMIN_EMAIL and VITALS_ADMIN_PASSWORD go together: set both or neither');
  if (typeof out.adminPassword === 'string') {
    const problem = passwordProblem(out.adminPassword, {
      ...(typeof out.adminEmail === 'string' ? { email: out.adminEmail } : {}),
      ...(typeof out.adminName === 'string' ? { displayName: out.adminName } : {}),
    });
    if (problem) problems.push(`VITALS_ADMIN_PASSWORD: ${problem.en}`);
  }
  if (typeof out.adminTotpSecret === 'string' && !isTotpSecret(out.adminTotpSecret))
    problems.push('VITALS_ADMIN_TOTP_SECRET: must be a base32 secret of at least 16 characters (A-Z, 2-7)');
  if (out.httpTls === true && (out.tlsCert === undefined || out.tlsKey === undefined))
    problems.push('VITALS_HTTP_TLS needs VITALS_TLS_CERT and VITALS_TLS_KEY');
  if (out.sessionIdleMinutes === 0) problems.push('VITALS_SESSION_IDLE_MINUTES: must be at least 1');
  if (out.sessionTtlSeconds === 0) problems.push('VITALS_SESSION_TTL: must be at least 1');
  if (out.invitationHours === 0) problems.push('VITALS_INVITATION_HOURS: must be at least 1');
  if (out.loginAttemptsPerMinute === 0) problems.push('VITALS_LOGIN_ATTEMPTS_PER_MINUTE: must be at least 1');
  if (typeof out.databaseUrl === 'string' && !/^postgres(ql)?:\/\//.test(out.databaseUrl))
    problems.push(`VITALS_DATABASE_URL: must start with postgres:// or postgresql://`);
  if ((out.tlsCert === undefined) !== (out.tlsKey === undefined))
    problems.push('VITALS_TLS_CERT and VITALS_TLS_KEY go together: set both or neither');
  for (const k of ['tlsCert', 'tlsKey', 'tlsClientCa'] as const)
    if (typeof out[k] === 'string' && !existsSync(out[k] as string))
      problems.push(`${SETTINGS.find((x) => x.key === k)!.env}=${String(out[k])}: no such file`);
  if (typeof out.mqttUrl === 'string' && !/^(mqtts?|wss?|tcp|tls):\/\//.test(out.mqttUrl))
    problems.push(`VITALS_MQTT_URL=${out.mqttUrl}: must be an mqtt://, mqtts:// or wss:// URL`);
  if (out.mqttProtocolVersion !== '5' && out.mqttProtocolVersion !== '4')
    problems.push(`VITALS_MQTT_PROTOCOL_VERSION=${String(out.mqttProtocolVersion)}: use 5 (MQTT 5) or 4 (MQTT 3.1.1)`);
  if (typeof out.instanceId === 'string' && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(out.instanceId))
    problems.push(`VITALS_INSTANCE_ID=${out.instanceId}: use lower-case letters, digits and -`);
  if (typeof out.databaseSchema === 'string' && !/^[a-z_][a-z0-9_]{0,62}$/.test(out.databaseSchema))
    problems.push(`VITALS_DATABASE_SCHEMA=${out.databaseSchema}: use lower-case letters, digits and _`);
  if (typeof out.earliestReadingTime === 'string' && !isIsoTime(out.earliestReadingTime))
    problems.push(
      `VITALS_EARLIEST_READING_TIME=${out.earliestReadingTime}: must be an ISO 8601 time with zone, e.g. 2015-01-01T00:00:00Z`,
    );
  if (out.emergencyAccessMinutes === 0 || Number(out.emergencyAccessMinutes) > 24 * 60)
    problems.push('VITALS_EMERGENCY_ACCESS_MINUTES: use 1 to 1440 minutes (an emergency access must end by itself)');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(String(out.logLevel)))
    problems.push(
      `VITALS_LOG_LEVEL=${String(out.logLevel)}: use one of fatal, error, warn, info, debug, trace, silent`,
    );
  if ((out.backupDir === undefined) !== (out.backupKeyFile === undefined))
    problems.push('VITALS_BACKUP_DIR and VITALS_BACKUP_KEY_FILE go together: set both for daily backups, or neither');
  if (typeof out.backupKeyFile === 'string' && !existsSync(out.backupKeyFile))
    problems.push(
      `VITALS_BACKUP_KEY_FILE=${out.backupKeyFile}: no such file; make one with pnpm -s run server backup-key --out FILE`,
    );
  if (typeof out.backupDir === 'string' && !existsSync(out.backupDir))
    problems.push(
      `VITALS_BACKUP_DIR=${out.backupDir}: no such directory; create it (a disk apart from the database's)`,
    );
  if (typeof out.backupAt === 'string' && backupAtProblem(out.backupAt))
    problems.push(`VITALS_BACKUP_AT: ${backupAtProblem(out.backupAt)}`);
  if (typeof out.backupTimezone === 'string' && !isValidTimeZone(out.backupTimezone))
    problems.push(`VITALS_BACKUP_TIMEZONE=${out.backupTimezone}: not an IANA time zone (e.g. Asia/Tokyo)`);
  if (Number(out.backupKeep) < 3) problems.push('VITALS_BACKUP_KEEP: keep at least 3 generations (MHLW guideline)');
  try {
    parseRetention(Number(out.retentionDays ?? 0), out.retentionByMetric as string | undefined);
  } catch (e) {
    if (e instanceof RetentionError) problems.push(...e.problems);
    else throw e;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as unknown as ServerConfig;
}
