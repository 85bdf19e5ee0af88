/**
 * The gateway's local configuration file (JSON), validated at start and on every reload.
 * Every problem is reported at once with the key, what is wrong, and an example. Secrets
 * live in files only the gateway user may read: a secret file that every user can read is
 * refused, one the group can read is accepted with a loud warning.
 *
 * Reload: SIGHUP or an edit of the file (watchGatewayConfig). A bad edit keeps the running
 * configuration and logs every problem.
 *
 * Merge with the server's retained `config` topic (effectiveConfig): the server's timezone
 * wins over the local one (the clinic manages it); a device is allowed when the local file
 * or the server allows it (or acceptUnlisted), and the server's `allow: false` removes it
 * even when the local file lists it (the clinic took the device away).
 */
import { readFileSync, type Stats, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import {
  type GatewayConfig,
  type GatewaySettingName,
  type GatewaySettingValues,
  gatewaySettingProblem,
  isGatewayId,
  isGatewaySettingName,
} from '@vitals/contract';
import { isValidTimeZone } from './decoders/local-time.ts';

export interface GatewayFileConfig {
  gatewayId: string;
  server: {
    url: string;
    username?: string;
    password?: string;
    passwordFile?: string;
    caFile?: string;
    certFile?: string;
    keyFile?: string;
    /** 4 = MQTT 3.1.1 (default; the embedded broker), 5 = MQTT 5. */
    protocolVersion?: 4 | 5;
    keepaliveSeconds?: number;
    /** Ceiling on readings per second while draining a backlog. */
    maxReadingsPerSecond?: number;
  };
  dataDir: string;
  timezone: string;
  ble: { enabled: boolean; allow: string[]; acceptUnlisted: boolean };
  serial: { enabled: boolean; byIdDir: string; ports: { match: string; protocol: string }[] };
  outbox?: { maxReadings?: number; maxBytes?: number };
  /** Local health endpoint: http://127.0.0.1:PORT/health (never on other interfaces). */
  health?: { port: number };
  statusFile?: string;
  logLevel: string;
  /**
   * Values for the remotely managed settings (issue 18, table in @vitals/contract). The server's
   * value wins over these unless the setting is listed in `pinnedSettings`.
   */
  settings?: GatewaySettingValues;
  /** Settings the server may not change on this gateway: the local value stays in force. */
  pinnedSettings?: GatewaySettingName[];
  /** Not errors, but someone should look (secret file permissions, ...). */
  warnings?: string[];
}

export const EXAMPLE_CONFIG = {
  gatewayId: 'gw-tokyo-0001',
  server: {
    url: 'mqtts://vitals.example.jp:8883',
    passwordFile: '/etc/vitals-gateway/mqtt-password',
    caFile: '/etc/vitals-gateway/ca.pem',
  },
  dataDir: '/var/lib/vitals-gateway',
  timezone: 'Asia/Tokyo',
  ble: { enabled: true, allow: ['ble:c4:7c:8d:6a:3f:21'], acceptUnlisted: false },
  serial: { enabled: true, byIdDir: '/dev/serial/by-id', ports: [{ match: 'Contec', protocol: 'contec-cms50d-live' }] },
  outbox: { maxReadings: 2000000, maxBytes: 1073741824 },
  health: { port: 8089 },
  statusFile: '/run/vitals-gateway/status.json',
};

export class GatewayConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `gateway configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        `example:\n${JSON.stringify(EXAMPLE_CONFIG, null, 2)}`,
    );
  }
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPosInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;

export interface SecretAccess {
  read(path: string): string;
  stat(path: string): Pick<Stats, 'mode' | 'uid'>;
  uid: number | undefined;
}

const fsSecrets: SecretAccess = {
  read: (p) => readFileSync(p, 'utf8').trim(),
  stat: (p) => statSync(p),
  uid: process.getuid?.(),
};

/** Problems (refused) and warnings about who else may read a secret file. */
export function secretFileProblems(key: string, path: string, s: Pick<Stats, 'mode' | 'uid'>, uid: number | undefined) {
  const errors: string[] = [];
  const warnings: string[] = [];
  const fix = `run: chown vitals-gateway ${path} && chmod 600 ${path}`;
  if (s.mode & 0o007)
    errors.push(
      `${key}: ${path} can be read by every user on this machine (mode ${(s.mode & 0o777).toString(8)}); ${fix}`,
    );
  else if (s.mode & 0o070)
    warnings.push(`${key}: ${path} can be read by its group (mode ${(s.mode & 0o777).toString(8)}); ${fix}`);
  if (uid !== undefined && uid !== 0 && s.uid !== uid)
    warnings.push(`${key}: ${path} belongs to uid ${s.uid}, not to the gateway user (uid ${uid}); ${fix}`);
  return { errors, warnings };
}

export function parseGatewayConfig(raw: unknown, secrets: SecretAccess = fsSecrets): GatewayFileConfig {
  const p: string[] = [];
  const warnings: string[] = [];
  if (!isObj(raw)) p.push('the file must hold a JSON object');
  const c = isObj(raw) ? raw : {};
  if (!isGatewayId(c.gatewayId))
    p.push(`gatewayId: must match [a-z0-9][a-z0-9-]{2,62}, got ${JSON.stringify(c.gatewayId)}`);
  if (!isObj(c.server)) p.push('server: must be an object with url and credentials');
  const server = isObj(c.server) ? c.server : {};
  if (typeof server.url !== 'string' || !/^(mqtts?|wss?|tcp|tls):\/\//.test(server.url))
    p.push(`server.url: must be an mqtt://, mqtts:// or wss:// URL, got ${JSON.stringify(server.url)}`);
  const secretFile = (key: string, path: unknown): boolean => {
    if (path === undefined) return false;
    if (typeof path !== 'string') {
      p.push(`${key}: must be a file path, got ${JSON.stringify(path)}`);
      return false;
    }
    try {
      const r = secretFileProblems(key, path, secrets.stat(path), secrets.uid);
      p.push(...r.errors);
      warnings.push(...r.warnings);
      return r.errors.length === 0;
    } catch (e) {
      p.push(`${key}: cannot read ${path} (${(e as Error).message})`);
      return false;
    }
  };
  let password = typeof server.password === 'string' ? server.password : undefined;
  if (password !== undefined)
    warnings.push('server.password: the password is in the config file; prefer server.passwordFile (mode 600)');
  if (secretFile('server.passwordFile', server.passwordFile)) {
    try {
      password = secrets.read(server.passwordFile as string);
    } catch (e) {
      p.push(`server.passwordFile: cannot read ${server.passwordFile} (${(e as Error).message})`);
    }
  }
  if (!password) p.push('server.password or server.passwordFile: the gateway needs its MQTT password');
  secretFile('server.keyFile', server.keyFile);
  for (const k of ['caFile', 'certFile', 'keyFile'] as const)
    if (server[k] !== undefined && typeof server[k] !== 'string') p.push(`server.${k}: must be a file path`);
  if ((server.certFile === undefined) !== (server.keyFile === undefined))
    p.push('server.certFile and server.keyFile: a client certificate needs both');
  if (server.protocolVersion !== undefined && server.protocolVersion !== 4 && server.protocolVersion !== 5)
    p.push(
      `server.protocolVersion: must be 4 (MQTT 3.1.1) or 5 (MQTT 5), got ${JSON.stringify(server.protocolVersion)}`,
    );
  if (server.keepaliveSeconds !== undefined && !(isPosInt(server.keepaliveSeconds) && server.keepaliveSeconds <= 600))
    p.push(
      `server.keepaliveSeconds: must be a whole number of seconds from 1 to 600, got ${JSON.stringify(server.keepaliveSeconds)}`,
    );
  if (server.maxReadingsPerSecond !== undefined && !isPosInt(server.maxReadingsPerSecond))
    p.push(
      `server.maxReadingsPerSecond: must be a positive whole number (e.g. 20000), got ${JSON.stringify(server.maxReadingsPerSecond)}`,
    );
  const ble = isObj(c.ble) ? c.ble : {};
  const allow = Array.isArray(ble.allow) ? ble.allow : [];
  for (const [i, a] of allow.entries())
    if (typeof a !== 'string' || !/^ble:[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(a))
      p.push(`ble.allow[${i}]: must be ble:<address lower-case>, got ${JSON.stringify(a)}`);
  const serial = isObj(c.serial) ? c.serial : {};
  const ports = Array.isArray(serial.ports) ? serial.ports : [];
  for (const [i, port] of ports.entries())
    if (!isObj(port) || typeof port.match !== 'string' || typeof port.protocol !== 'string')
      p.push(`serial.ports[${i}]: must be {"match": "part of the by-id name", "protocol": "contec-cms50d-live"}`);
  const timezone = c.timezone === undefined ? 'Asia/Tokyo' : c.timezone;
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone))
    p.push(`timezone: must be an IANA zone such as Asia/Tokyo, got ${JSON.stringify(c.timezone)}`);
  if (c.dataDir !== undefined && typeof c.dataDir !== 'string') p.push('dataDir: must be a path');
  if (c.outbox !== undefined && !isObj(c.outbox)) p.push('outbox: must be an object');
  const outbox = isObj(c.outbox) ? c.outbox : {};
  if (outbox.maxReadings !== undefined && !isPosInt(outbox.maxReadings))
    p.push(`outbox.maxReadings: must be a positive whole number, got ${JSON.stringify(outbox.maxReadings)}`);
  if (outbox.maxBytes !== undefined && !(isPosInt(outbox.maxBytes) && outbox.maxBytes >= 1024 * 1024))
    p.push(
      `outbox.maxBytes: must be a whole number of bytes, at least 1048576, got ${JSON.stringify(outbox.maxBytes)}`,
    );
  if (c.health !== undefined && !isObj(c.health)) p.push('health: must be {"port": 8089}');
  const health = isObj(c.health) ? c.health : undefined;
  if (health && !(Number.isInteger(health.port) && (health.port as number) >= 0 && (health.port as number) < 65536))
    p.push(`health.port: must be a port number from 0 to 65535, got ${JSON.stringify(health.port)}`);
  if (c.statusFile !== undefined && typeof c.statusFile !== 'string') p.push('statusFile: must be a path');
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (c.logLevel !== undefined && !levels.includes(c.logLevel as string))
    p.push(`logLevel: must be one of ${levels.join(', ')}, got ${JSON.stringify(c.logLevel)}`);
  if (c.settings !== undefined && !isObj(c.settings))
    p.push('settings: must be an object such as {"logLevel": "info"}');
  const settings = isObj(c.settings) ? c.settings : {};
  for (const [k, v] of Object.entries(settings)) {
    const problem = gatewaySettingProblem(k, v);
    if (problem) p.push(`settings.${problem}`);
  }
  const pins = c.pinnedSettings === undefined ? [] : c.pinnedSettings;
  if (!Array.isArray(pins) || !pins.every((x) => typeof x === 'string' && isGatewaySettingName(x)))
    p.push(
      `pinnedSettings: must be a list of setting names (logLevel, maxReadingsPerSecond, ...), got ${JSON.stringify(c.pinnedSettings)}`,
    );
  if (p.length) throw new GatewayConfigError(p);
  const gatewayId = c.gatewayId as string;
  return {
    gatewayId,
    server: {
      url: server.url as string,
      username: typeof server.username === 'string' ? server.username : gatewayId,
      password: password!,
      ...(typeof server.passwordFile === 'string' ? { passwordFile: server.passwordFile } : {}),
      ...(typeof server.caFile === 'string' ? { caFile: server.caFile } : {}),
      ...(typeof server.certFile === 'string' ? { certFile: server.certFile } : {}),
      ...(typeof server.keyFile === 'string' ? { keyFile: server.keyFile } : {}),
      ...(server.protocolVersion === 5 ? { protocolVersion: 5 as const } : {}),
      ...(isPosInt(server.keepaliveSeconds) ? { keepaliveSeconds: server.keepaliveSeconds } : {}),
      ...(isPosInt(server.maxReadingsPerSecond) ? { maxReadingsPerSecond: server.maxReadingsPerSecond } : {}),
    },
    dataDir: (c.dataDir as string | undefined) ?? '/var/lib/vitals-gateway',
    timezone: timezone as string,
    ble: { enabled: ble.enabled !== false, allow: allow as string[], acceptUnlisted: ble.acceptUnlisted === true },
    serial: {
      enabled: serial.enabled !== false && ports.length > 0,
      byIdDir: typeof serial.byIdDir === 'string' ? serial.byIdDir : '/dev/serial/by-id',
      ports: ports as { match: string; protocol: string }[],
    },
    outbox: {
      ...(isPosInt(outbox.maxReadings) ? { maxReadings: outbox.maxReadings } : {}),
      ...(isPosInt(outbox.maxBytes) ? { maxBytes: outbox.maxBytes } : {}),
    },
    ...(health ? { health: { port: health.port as number } } : {}),
    ...(typeof c.statusFile === 'string' ? { statusFile: c.statusFile } : {}),
    logLevel: typeof c.logLevel === 'string' ? c.logLevel : 'info',
    ...(Object.keys(settings).length ? { settings: settings as GatewaySettingValues } : {}),
    ...((pins as string[]).length ? { pinnedSettings: pins as GatewaySettingName[] } : {}),
    warnings,
  };
}

export function loadGatewayConfig(path: string, secrets?: SecretAccess): GatewayFileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GatewayConfigError([`${path}: cannot read it as JSON (${(e as Error).message})`]);
  }
  return parseGatewayConfig(raw, secrets);
}

export interface EffectiveConfig {
  timezone: string;
  allowed(deviceId: string): boolean;
}

/** The local file merged with the server's retained config (see the header for the rules). */
export function effectiveConfig(local: GatewayFileConfig, server: GatewayConfig | undefined): EffectiveConfig {
  const localAllow = new Set(local.ble.allow);
  const serverAllow = new Map((server?.devices ?? []).map((d) => [d.id, d.allow] as const));
  const timezone = server?.timezone && isValidTimeZone(server.timezone) ? server.timezone : local.timezone;
  return {
    timezone,
    allowed(deviceId) {
      if (deviceId.startsWith('serial:')) return serverAllow.get(deviceId) !== false; // chosen by the local port rules
      const s = serverAllow.get(deviceId);
      if (s === false) return false;
      return s === true || localAllow.has(deviceId) || local.ble.acceptUnlisted;
    },
  };
}

/** Checks that a server config message is contract v1; returns the problem or null. */
export function serverConfigProblem(cfg: unknown): string | null {
  if (!isObj(cfg) || cfg.v !== 1) return 'server config is not contract v1 ({"v":1,...})';
  if (
    !Array.isArray(cfg.devices) ||
    !cfg.devices.every((d) => isObj(d) && typeof d.id === 'string' && typeof d.allow === 'boolean')
  )
    return 'server config devices must be [{"id","allow"}]';
  if (cfg.timezone !== undefined && (typeof cfg.timezone !== 'string' || !isValidTimeZone(cfg.timezone)))
    return `server config timezone ${JSON.stringify(cfg.timezone)} is not an IANA zone`;
  return null;
}

export interface ConfigWatcher {
  /** Re-reads the file now (what SIGHUP does). */
  reload(): void;
  stop(): void;
}

/**
 * Re-reads the config on SIGHUP and when the file changes (editors replace files, so the
 * directory is watched). A valid new config goes to onChange; an invalid one to onInvalid,
 * and the running config stays.
 */
export function watchGatewayConfig(
  path: string,
  handlers: { onChange(c: GatewayFileConfig): void; onInvalid(e: GatewayConfigError): void },
  o: { secrets?: SecretAccess; signal?: boolean; debounceMs?: number } = {},
): ConfigWatcher {
  let last: string | undefined;
  try {
    last = readFileSync(path, 'utf8');
  } catch {}
  let timer: NodeJS.Timeout | undefined;
  const reload = (force = true) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      handlers.onInvalid(new GatewayConfigError([`${path}: cannot read it (${(e as Error).message})`]));
      return;
    }
    if (!force && text === last) return;
    last = text;
    try {
      handlers.onChange(loadGatewayConfig(path, o.secrets));
    } catch (e) {
      if (e instanceof GatewayConfigError) handlers.onInvalid(e);
      else handlers.onInvalid(new GatewayConfigError([(e as Error).message]));
    }
  };
  const onSignal = () => reload(true);
  if (o.signal !== false) process.on('SIGHUP', onSignal);
  let watcher: ReturnType<typeof watch> | undefined;
  try {
    watcher = watch(dirname(path), (_ev, name) => {
      if (name && name !== basename(path)) return;
      clearTimeout(timer);
      timer = setTimeout(() => reload(false), o.debounceMs ?? 300);
    });
    watcher.on('error', () => {});
  } catch {
    // No inotify (some containers): SIGHUP still works.
  }
  return {
    reload: () => reload(true),
    stop() {
      clearTimeout(timer);
      watcher?.close();
      if (o.signal !== false) process.off('SIGHUP', onSignal);
    },
  };
}
