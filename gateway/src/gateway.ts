/**
 * Assembles a running gateway: clock, outbox, pipeline, link, status, and the transports.
 * Transports are given sinks; they never decode. Noble may be injected (simulated radios in
 * tests and the demo); on a Pi the real HCI bindings are used.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { GatewayConfig, GatewaySettingsReport } from '@vitals/contract';
import pino, { type Logger } from 'pino';
import { GatewayClock } from './clock/gateway-clock.ts';
import { effectiveConfig, type GatewayFileConfig, serverConfigProblem, watchGatewayConfig } from './config.ts';
import { Link, type LinkOptions, type LinkTuning } from './link/link.ts';
import { Outbox } from './outbox/outbox.ts';
import { Pipeline } from './pipeline/pipeline.ts';
import { resolveSettings, type SettingValues } from './remote-settings.ts';
import { type GatewayHealth, type HealthServer, startHealthServer, writeStatusFile } from './status/status.ts';
import type { TransportSinks } from './transports/frame.ts';

export const GATEWAY_VERSION = '0.1.0';
/** Readings held for an unsynchronised clock longer than this are sent as they are (flagged). */
export const CLOCK_HOLD_MAX_MS = 2 * 60 * 60_000;

export interface StartGatewayOptions {
  config: GatewayFileConfig;
  log?: Logger;
  /** A noble instance (e.g. built with simulated bindings); default: the platform's HCI noble. */
  noble?: unknown;
  /** The gateway clock (tests inject one with a fake sync probe); default: timedatectl + build-date floor. */
  clock?: GatewayClock;
  linkOverrides?: Partial<LinkOptions>;
  /** The config file: re-read on SIGHUP and when it changes (a bad edit keeps the running config). */
  configPath?: string;
}

export interface RunningGateway {
  outbox: Outbox;
  readonly link: Link;
  pipeline: Pipeline;
  clock: GatewayClock;
  /** Devices allowed right now (local config plus the server's retained config). */
  allowed(deviceId: string): boolean;
  status(): GatewayRuntimeStatus;
  /** Applies a new local config (reload): what was applied, and what needs a restart. */
  reconfigure(next: GatewayFileConfig): Promise<{ applied: string[]; needsRestart: string[] }>;
  readonly healthPort: number | undefined;
  stop(): Promise<void>;
}

export type GatewayRuntimeStatus = GatewayHealth;

const SERVER_CONFIG_STATE = 'server-config';

export async function startGateway(o: StartGatewayOptions): Promise<RunningGateway> {
  let c = o.config;
  const log = o.log ?? pino({ name: 'vitals-gateway', level: c.logLevel });
  for (const w of c.warnings ?? []) log.warn(`configuration: ${w}`);
  const outbox = new Outbox({
    path: join(c.dataDir, 'outbox.sqlite'),
    gatewayId: c.gatewayId,
    ...(c.outbox?.maxReadings ? { maxReadings: c.outbox.maxReadings } : {}),
    ...(c.outbox?.maxBytes ? { maxBytes: c.outbox.maxBytes } : {}),
    onDropped(n, why) {
      log.error({ dropped: n, why }, 'outbox full: oldest unsent readings dropped to keep the newest');
      link.publishEvent({ time: new Date().toISOString(), type: 'outbox_overflow', detail: { dropped: n, why } });
    },
  });
  // The server's last config survives restarts without network.
  let serverConfig: GatewayConfig | undefined;
  try {
    const saved = outbox.getState(SERVER_CONFIG_STATE);
    if (saved) serverConfig = JSON.parse(saved) as GatewayConfig;
  } catch {}
  let effective = effectiveConfig(c, serverConfig);
  // Remote settings (issue 18): resolved from the saved server config too, so they hold offline.
  let settings: GatewaySettingsReport & { applied: SettingValues } = resolveSettings(c, serverConfig?.settings);
  log.level = settings.applied.logLevel;
  // What a test's linkOverrides set stays as it set it.
  const linkTuning = (v: SettingValues): LinkTuning => {
    const t: LinkTuning = {
      maxReadingsPerSecond: v.maxReadingsPerSecond,
      maxBatchReadings: v.uploadBatchReadings,
      heartbeatSeconds: v.statusIntervalSeconds,
      maxBackoffMs: v.serverReconnectMaxSeconds * 1000,
    };
    for (const k of Object.keys(t) as (keyof LinkTuning)[])
      if (o.linkOverrides?.[k] !== undefined) t[k] = o.linkOverrides[k];
    return t;
  };
  const timezone = () => effective.timezone;
  const allowed = (deviceId: string) => effective.allowed(deviceId);

  const clock = o.clock ?? new GatewayClock();
  const bootId = randomBytes(4).toString('hex');

  const makeLink = (cfg: GatewayFileConfig) => {
    const readFile = (p?: string) => (p ? readFileSync(p) : undefined);
    const ca = readFile(cfg.server.caFile);
    const cert = readFile(cfg.server.certFile);
    const key = readFile(cfg.server.keyFile);
    return new Link({
      url: cfg.server.url,
      gatewayId: cfg.gatewayId,
      username: cfg.server.username ?? cfg.gatewayId,
      password: cfg.server.password ?? '',
      outbox,
      log: log.child({ component: 'link' }),
      version: GATEWAY_VERSION,
      bootId,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(cfg.server.protocolVersion ? { protocolVersion: cfg.server.protocolVersion } : {}),
      ...(cfg.server.keepaliveSeconds ? { keepaliveSeconds: cfg.server.keepaliveSeconds } : {}),
      ...linkTuning(settings.applied),
      settingsReport: () => settings,
      onConfig(cfg) {
        const problem = serverConfigProblem(cfg);
        if (problem) {
          log.warn({ problem }, 'server config ignored');
          return;
        }
        serverConfig = cfg;
        effective = effectiveConfig(c, serverConfig);
        outbox.setState(SERVER_CONFIG_STATE, JSON.stringify(cfg));
        log.info({ devices: cfg.devices.length, timezone: effective.timezone }, 'server config applied');
        applySettings();
      },
      ...o.linkOverrides,
    });
  };
  let link = makeLink(c);
  let ble: { setBackoffMaxMs(ms: number): void } | undefined;

  /** Resolves the settings again (new server config or local file) and applies what changed, live. */
  function applySettings() {
    const before = settings;
    settings = resolveSettings(c, serverConfig?.settings, before.applied);
    const changed = Object.keys(settings.applied).filter(
      (k) => settings.applied[k as keyof SettingValues] !== before.applied[k as keyof SettingValues],
    );
    if (settings.applied.logLevel !== before.applied.logLevel) log.level = settings.applied.logLevel;
    link.tune(linkTuning(settings.applied));
    ble?.setBackoffMaxMs(settings.applied.bleReconnectMaxSeconds * 1000);
    if (settings.ignored)
      log.warn({ ignored: settings.ignored, revision: settings.revision }, 'some remote settings were ignored');
    if (changed.length || settings.revision !== before.revision) {
      log.info({ revision: settings.revision, changed, applied: settings.applied }, 'remote settings applied');
      link.reportStatus();
    }
  }

  const pipeline = new Pipeline({
    outbox,
    log: log.child({ component: 'pipeline' }),
    timezone,
    gatewayClockOk: () => clock.synced(),
    clockHold: (receivedAt) => {
      const s = clock.stamp();
      return { bootId: clock.bootId, monoMs: s.mono - (s.wall - receivedAt.getTime()) };
    },
    stored: () => link.notify(),
    event: (e) => link.publishEvent(e),
  });

  // Held readings of an earlier boot cannot be re-stamped (monotonic time restarted): send them flagged.
  const released = outbox.release(clock.bootId);
  if (released)
    log.warn({ readings: released }, 'readings stamped before a reboot with an unsynchronised clock are sent flagged');
  clock.onSync((e) => {
    const fixed = outbox.restamp(e.bootId, e.offsetMs);
    log.info({ stepMs: e.stepMs, restamped: fixed.length }, 'gateway clock synchronised');
    if (!e.wasUnsynchronised && fixed.length === 0) return;
    link.publishEvent({
      time: new Date().toISOString(),
      type: 'clock_adjusted',
      detail: { clock: 'gateway', stepMs: e.stepMs, restamped: fixed.length },
    });
    link.notify();
  });
  await clock.start();
  if (!clock.synced()) {
    log.warn('gateway clock not synchronised yet (no NTP answer); readings are held and re-stamped once it is');
    link.publishEvent({ time: new Date().toISOString(), type: 'clock_unsynchronised', detail: { clock: 'gateway' } });
  }
  const holdTimer = setInterval(() => {
    if (clock.synced()) return;
    const n = outbox.release(clock.bootId, Date.now() - CLOCK_HOLD_MAX_MS);
    if (n) {
      log.warn({ readings: n }, 'clock still unsynchronised; readings held too long are sent flagged');
      link.notify();
    }
  }, 60_000);
  holdTimer.unref();

  const sinks: TransportSinks = { frame: (f) => pipeline.frame(f), event: (e) => pipeline.deviceEvent(e) };
  const cursorStore = {
    get: (deviceId: string) => outbox.getState(`cursor:${deviceId}`),
    set: (deviceId: string, value: string | number) => outbox.setState(`cursor:${deviceId}`, String(value)),
  };

  link.start();
  const stops: (() => Promise<void>)[] = [];
  if (c.ble.enabled) {
    const { startBleTransport } = await import('./transports/ble/index.ts');
    const noble = o.noble ?? createRequire(import.meta.url)('@abandonware/noble');
    const t = startBleTransport({
      noble: noble as never,
      allow: allowed,
      sinks,
      tz: c.timezone,
      log: log.child({ component: 'ble' }),
      gatewayClockSynced: () => clock.synced(),
      timing: { backoffMaxMs: settings.applied.bleReconnectMaxSeconds * 1000 },
      sequenceStore: {
        get: (id: string) => {
          const v = cursorStore.get(id);
          return v === undefined ? undefined : Number(v);
        },
        set: (id: string, seq: number) => cursorStore.set(id, seq),
      },
    });
    ble = t;
    stops.push(() => t.stop());
  }
  if (c.serial.enabled) {
    const { startSerialTransport } = await import('./transports/serial/index.ts');
    const t = startSerialTransport({
      byIdDir: c.serial.byIdDir,
      rules: c.serial.ports,
      sinks,
      tz: c.timezone,
      log: log.child({ component: 'serial' }),
      cursorStore: { get: (id: string) => cursorStore.get(id), set: (id: string, v: string) => cursorStore.set(id, v) },
    });
    stops.push(() => t.stop());
  }

  const status = (): GatewayRuntimeStatus => {
    const oldest = outbox.oldestStoredAt();
    return {
      gatewayId: c.gatewayId,
      version: GATEWAY_VERSION,
      connected: link.connected,
      lastConnectedAt: link.lastConnectedAt?.toISOString() ?? null,
      backlog: outbox.size(),
      heldForClock: outbox.held(),
      oldestBacklogAgeSeconds: oldest === undefined ? 0 : Math.max(0, Math.round((Date.now() - oldest) / 1000)),
      inFlightBatches: link.inFlightBatches,
      lastAckAt: link.lastAckAt?.toISOString() ?? null,
      gatewayClockSynchronised: clock.synced(),
      lastReadingByDevice: Object.fromEntries(pipeline.lastReadingAt),
      timezone: timezone(),
      settings,
      stats: { ...pipeline.stats, ...link.stats, outboxDroppedTotal: outbox.droppedTotal },
    };
  };
  let statusTimer: NodeJS.Timeout | undefined;
  const startStatusFile = (file: string | undefined) => {
    clearInterval(statusTimer);
    if (!file) return;
    const write = () => {
      try {
        writeStatusFile(file, status());
      } catch (e) {
        log.warn(
          { err: (e as Error).message, file },
          'cannot write the status file; check that its directory exists and is writable',
        );
      }
    };
    write();
    statusTimer = setInterval(write, 5_000);
    statusTimer.unref();
  };
  startStatusFile(c.statusFile);
  let health: HealthServer | undefined;
  if (c.health) {
    try {
      health = await startHealthServer(c.health.port, status);
      log.info({ port: health.port }, 'health endpoint on 127.0.0.1');
    } catch (e) {
      log.error(
        { err: (e as Error).message, port: c.health.port },
        'cannot open the health endpoint; is the port taken? (health.port)',
      );
    }
  }

  let stopped = false;
  let reconfiguring = Promise.resolve();
  const watcher = o.configPath
    ? watchGatewayConfig(o.configPath, {
        onChange: (next) => {
          reconfiguring = reconfiguring
            .then(() => gw.reconfigure(next).then(() => undefined))
            .catch((e) => log.error({ err: e }, 'reload failed'));
        },
        onInvalid: (e) =>
          log.error(
            { problems: e.problems },
            'configuration file changed but is invalid; the running configuration stays',
          ),
      })
    : undefined;
  const gw: RunningGateway = {
    outbox,
    get link() {
      return link;
    },
    pipeline,
    clock,
    allowed,
    status,
    get healthPort() {
      return health?.port;
    },
    async reconfigure(next) {
      const applied: string[] = [];
      const needsRestart: string[] = [];
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      for (const k of ['gatewayId', 'dataDir', 'ble', 'serial', 'health'] as const)
        if (
          !same(c[k], next[k]) &&
          !(
            k === 'ble' &&
            same({ ...c.ble, allow: [], acceptUnlisted: false }, { ...next.ble, allow: [], acceptUnlisted: false })
          )
        )
          needsRestart.push(k);
      const prev = c;
      c = { ...next, gatewayId: prev.gatewayId, dataDir: prev.dataDir };
      for (const w of next.warnings ?? []) log.warn(`configuration: ${w}`);
      if (!same(prev.timezone, next.timezone)) applied.push('timezone');
      if (!same(prev.ble.allow, next.ble.allow) || prev.ble.acceptUnlisted !== next.ble.acceptUnlisted)
        applied.push('ble.allow');
      effective = effectiveConfig(c, serverConfig);
      const settingsBefore = settings.applied;
      applySettings();
      for (const [k, v] of Object.entries(settings.applied))
        if (settingsBefore[k as keyof SettingValues] !== v) applied.push(`settings.${k}`);
      if (!same(prev.outbox, next.outbox)) {
        if (next.outbox?.maxBytes) outbox.setMaxBytes(next.outbox.maxBytes);
        if (next.outbox?.maxReadings !== prev.outbox?.maxReadings) needsRestart.push('outbox.maxReadings');
        applied.push('outbox');
      }
      if (prev.statusFile !== next.statusFile) {
        startStatusFile(next.statusFile);
        applied.push('statusFile');
      }
      if (!same(prev.server, next.server)) {
        // New URL, credentials or certificates: a fresh connection; the outbox carries on.
        const old = link;
        await old.stop();
        link = makeLink(c);
        link.start();
        applied.push('server');
      }
      log.info({ applied, needsRestart }, 'configuration reloaded');
      if (needsRestart.length) log.warn({ needsRestart }, 'some changes take effect only after a restart');
      return { applied, needsRestart };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      watcher?.stop();
      await reconfiguring;
      clearInterval(statusTimer);
      clearInterval(holdTimer);
      clock.stop();
      for (const s of stops) await s().catch((e) => log.warn({ err: e }, 'transport stop failed'));
      pipeline.flushAll();
      await link.stop();
      await health?.close();
      outbox.close();
    },
  };
  return gw;
}
