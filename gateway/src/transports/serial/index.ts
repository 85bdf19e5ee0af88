/**
 * The serial transport: finds devices by stable name in a by-id directory (never by
 * /dev/ttyUSB0, which changes between boots and plugs), opens each with its protocol's line
 * settings through `serialport`, and hands the bytes to the pipeline as SerialChunks. It never
 * decodes. Command/response devices get their protocol's conversation run for them (write
 * commands, publish only new records, keep a per-device cursor).
 *
 * Hot-plug: the directory is watched (fs.watch) and rescanned periodically as a fallback
 * (watch events can be lost, and the directory may not exist yet). A device that vanishes is a
 * `device_lost` event; one whose name now points at another tty is closed and reopened there.
 * Port failures are `port_error` events; nothing here throws into the gateway.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { ConversationStep, SerialConversation } from '../../decoders/serial/conversation.ts';
import { SERIAL_PROTOCOLS, type SerialProtocol } from '../../decoders/serial/index.ts';
import type { DeviceEvent, TransportSinks } from '../frame.ts';

export interface SerialPortRule {
  /** Part of the by-id name, or a regular expression written as /.../flags. */
  match: string;
  protocol: string;
  /** Device model reported with readings; defaults to the protocol's model. */
  model?: string;
}

/** Where the transport keeps each device's download cursor between runs and restarts. */
export interface CursorStore {
  get(deviceId: string): string | undefined;
  set(deviceId: string, value: string): void;
}

/** The subset of a pino logger the transport uses. */
export interface SerialLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SerialTransportOptions {
  /** The stable-name directory, /dev/serial/by-id on a Pi. */
  byIdDir: string;
  rules: SerialPortRule[];
  sinks: TransportSinks;
  /** Zone of device wall clocks (a function when the server's config can change it). */
  tz: string | (() => string);
  log?: SerialLog;
  cursorStore?: CursorStore;
  /** Periodic rescan of the directory; default 2000 ms. */
  rescanIntervalMs?: number;
  /** Run command/response conversations this often instead of the protocol's own interval. */
  conversationIntervalMs?: number;
  /** How far a device clock may be off before it is set; default: the conversation's. */
  clockToleranceMs?: number;
  protocols?: Record<string, SerialProtocol>;
  now?: () => Date;
}

export interface SerialTransport {
  /** Looks at the directory now (also runs on watch events and periodically). */
  rescan(): Promise<void>;
  /** By-id names of the ports open right now. */
  openDevices(): string[];
  stop(): Promise<void>;
}

interface OpenDevice {
  name: string;
  deviceId: string;
  target: string;
  protocol: SerialProtocol;
  model: string;
  port: SerialPort;
  closing: boolean;
  conversation: SerialConversation | null;
  responseTimer: NodeJS.Timeout | null;
  repeatTimer: NodeJS.Timeout | null;
}

const SERIAL_ID_CHARS = /[^A-Za-z0-9._:@+-]/g;
const silent: SerialLog = { debug() {}, info() {}, warn() {}, error() {} };

/** `serial:<by-id name>`, with characters the contract does not allow replaced by `_`. */
export function serialDeviceId(name: string): string {
  return `serial:${name.replace(SERIAL_ID_CHARS, '_').slice(0, 200)}`;
}

export function ruleMatches(rule: SerialPortRule, name: string): boolean {
  const re = /^\/(.+)\/([a-z]*)$/.exec(rule.match);
  if (re) {
    try {
      return new RegExp(re[1]!, re[2]).test(name);
    } catch {
      return false;
    }
  }
  return name.includes(rule.match);
}

export function startSerialTransport(o: SerialTransportOptions): SerialTransport {
  const log = o.log ?? silent;
  const protocols = o.protocols ?? SERIAL_PROTOCOLS;
  const now = o.now ?? (() => new Date());
  const tz = () => (typeof o.tz === 'function' ? o.tz() : o.tz);
  const open = new Map<string, OpenDevice>();
  const opening = new Set<string>();
  /** Problems already reported per name, so a broken port is one event, not one per rescan. */
  const reported = new Map<string, string>();
  let stopped = false;
  let watcher: FSWatcher | null = null;
  let scanning: Promise<void> | null = null;
  let rescanAgain = false;
  let soon: NodeJS.Timeout | null = null;

  const event = (type: string, name: string | null, detail?: unknown) => {
    const e: DeviceEvent = { type, time: now(), ...(name ? { device: serialDeviceId(name) } : {}) };
    if (detail !== undefined) e.detail = detail;
    o.sinks.event(e);
  };

  const reportOnce = (name: string, type: string, detail: { error: string } & Record<string, unknown>) => {
    if (reported.get(name) === detail.error) return;
    reported.set(name, detail.error);
    log.warn({ device: name, ...detail }, type);
    event(type, name, detail);
  };

  function scheduleRescan(delayMs = 50): void {
    if (stopped || soon) return;
    soon = setTimeout(() => {
      soon = null;
      void rescan();
    }, delayMs);
  }

  function ensureWatcher(): void {
    if (watcher || stopped) return;
    try {
      watcher = watch(o.byIdDir, () => scheduleRescan());
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      watcher = null; // The directory does not exist yet; the periodic rescan covers it.
    }
  }

  async function listPresent(): Promise<Map<string, { target: string; rule: SerialPortRule }>> {
    const present = new Map<string, { target: string; rule: SerialPortRule }>();
    let names: string[];
    try {
      names = await readdir(o.byIdDir);
    } catch {
      return present;
    }
    for (const name of names) {
      const rule = o.rules.find((r) => ruleMatches(r, name));
      if (!rule) continue;
      try {
        present.set(name, { target: await realpath(join(o.byIdDir, name)), rule });
      } catch {
        // A dangling link: the device node is gone.
      }
    }
    return present;
  }

  async function scanOnce(): Promise<void> {
    ensureWatcher();
    const present = await listPresent();
    if (stopped) return;
    for (const [name, dev] of open) {
      const now = present.get(name);
      if (!now) await closeDevice(dev, 'unplugged');
      else if (now.target !== dev.target) await closeDevice(dev, 'moved to another port');
    }
    for (const [name, { target, rule }] of present) {
      if (!open.has(name) && !opening.has(name)) await openDevice(name, target, rule);
    }
  }

  async function rescan(): Promise<void> {
    if (scanning) {
      rescanAgain = true;
      return scanning;
    }
    scanning = (async () => {
      do {
        rescanAgain = false;
        await scanOnce().catch((e: Error) => log.error({ err: e.message }, 'serial rescan failed'));
      } while (rescanAgain && !stopped);
    })();
    try {
      await scanning;
    } finally {
      scanning = null;
    }
  }

  async function openDevice(name: string, target: string, rule: SerialPortRule): Promise<void> {
    const protocol = Object.hasOwn(protocols, rule.protocol) ? protocols[rule.protocol] : undefined;
    if (!protocol) {
      reportOnce(name, 'port_error', {
        error: `unknown serial protocol "${rule.protocol}" in the rule for "${rule.match}"; known: ${Object.keys(protocols).join(', ')}`,
      });
      return;
    }
    opening.add(name);
    const port = new SerialPort({
      path: target,
      baudRate: protocol.baudRate,
      dataBits: protocol.dataBits,
      parity: protocol.parity,
      stopBits: protocol.stopBits,
      autoOpen: false,
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (e) {
      opening.delete(name);
      reportOnce(name, 'port_error', { error: `cannot open ${target}: ${(e as Error).message}`, path: target });
      return;
    }
    opening.delete(name);
    if (stopped) {
      port.close();
      return;
    }
    reported.delete(name);
    const dev: OpenDevice = {
      name,
      deviceId: serialDeviceId(name),
      target,
      protocol,
      model: rule.model ?? protocol.model,
      port,
      closing: false,
      conversation: null,
      responseTimer: null,
      repeatTimer: null,
    };
    open.set(name, dev);
    log.info({ device: name, path: target, protocol: protocol.name }, 'serial device connected');
    event('device_connected', name, { path: target, protocol: protocol.name, model: dev.model });
    port.on('data', (chunk: Buffer) => onData(dev, new Uint8Array(chunk)));
    port.on('error', (e: Error) => event('port_error', name, { error: e.message, path: target }));
    port.on('close', () => {
      if (dev.closing) return;
      void closeDevice(dev, 'port closed').then(() => scheduleRescan(200));
    });
    if (protocol.conversation) startConversation(dev);
  }

  async function closeDevice(dev: OpenDevice, reason: string): Promise<void> {
    if (open.get(dev.name) !== dev) return;
    open.delete(dev.name);
    dev.closing = true;
    clearConversationTimers(dev);
    dev.conversation = null;
    if (dev.port.isOpen) await new Promise<void>((resolve) => dev.port.close(() => resolve()));
    if (stopped) return;
    log.warn({ device: dev.name, reason }, 'serial device lost');
    event('device_lost', dev.name, { reason, path: dev.target });
  }

  function onData(dev: OpenDevice, bytes: Uint8Array): void {
    if (open.get(dev.name) !== dev) return;
    if (dev.protocol.conversation) {
      if (dev.conversation) apply(dev, dev.conversation.receive(bytes, now()));
      return;
    }
    o.sinks.frame({
      kind: 'serial',
      device: { id: dev.deviceId, transport: 'serial', model: dev.model },
      protocol: dev.protocol.name,
      bytes,
      receivedAt: now(),
    });
  }

  function clearConversationTimers(dev: OpenDevice): void {
    if (dev.responseTimer) clearTimeout(dev.responseTimer);
    if (dev.repeatTimer) clearTimeout(dev.repeatTimer);
    dev.responseTimer = null;
    dev.repeatTimer = null;
  }

  function startConversation(dev: OpenDevice): void {
    const spec = dev.protocol.conversation!;
    clearConversationTimers(dev);
    dev.conversation = spec.create({
      tz: tz(),
      cursor: o.cursorStore?.get(dev.deviceId),
      ...(o.clockToleranceMs === undefined ? {} : { clockToleranceMs: o.clockToleranceMs }),
    });
    apply(dev, dev.conversation.start(now()));
  }

  function apply(dev: OpenDevice, step: ConversationStep): void {
    if (open.get(dev.name) !== dev) return;
    const spec = dev.protocol.conversation!;
    for (const w of step.writes) dev.port.write(Buffer.from(w));
    for (const bytes of step.publish)
      o.sinks.frame({
        kind: 'serial',
        device: { id: dev.deviceId, transport: 'serial', model: dev.model },
        protocol: dev.protocol.name,
        bytes,
        receivedAt: now(),
      });
    for (const e of step.events) event(e.type, dev.name, e.detail);
    if (step.cursor !== undefined) o.cursorStore?.set(dev.deviceId, step.cursor);
    if (dev.responseTimer) clearTimeout(dev.responseTimer);
    dev.responseTimer = null;
    if (step.done) {
      dev.conversation = null;
      dev.repeatTimer = setTimeout(() => startConversation(dev), o.conversationIntervalMs ?? spec.repeatAfterMs);
      return;
    }
    const conversation = dev.conversation;
    dev.responseTimer = setTimeout(() => {
      if (conversation && dev.conversation === conversation) apply(dev, conversation.timeout(now()));
    }, spec.responseTimeoutMs);
  }

  const periodic = setInterval(() => void rescan(), o.rescanIntervalMs ?? 2000);
  void rescan();

  return {
    rescan,
    openDevices: () => [...open.keys()],
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(periodic);
      if (soon) clearTimeout(soon);
      watcher?.close();
      await scanning?.catch(() => {});
      for (const dev of [...open.values()]) {
        dev.closing = true;
        clearConversationTimers(dev);
        open.delete(dev.name);
        if (dev.port.isOpen) await new Promise<void>((resolve) => dev.port.close(() => resolve()));
      }
    },
  };
}
