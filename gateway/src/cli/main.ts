/** The gateway command: `decode` (the contract's decoder command) and `start`. */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { GatewayConfigError, loadGatewayConfig } from '../config.ts';
import { isValidTimeZone } from '../decoders/local-time.ts';
import { startGateway } from '../gateway.ts';
import { decodeLine } from './decode-line.ts';

const USAGE = `usage:
  pnpm -s gateway decode [--tz ZONE]     JSON lines on stdin -> one JSON line each on stdout
  pnpm -s gateway start --config FILE    run the gateway (see docs/gateway.md)
      [--simulate HOME.json [--history-days N] [--spot-every SECONDS]]
                                         with simulated BLE devices instead of the radio
                                         (development and demo; needs the firmware-sim package)
`;

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function decode(argv: string[]) {
  const tz = option(argv, '--tz') ?? 'UTC';
  if (!isValidTimeZone(tz)) {
    process.stderr.write(`--tz ${tz}: not an IANA timezone (example: Asia/Tokyo)\n`);
    process.exit(2);
  }
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const out: string[] = [];
  for await (const line of rl) {
    out.push(JSON.stringify(decodeLine(line, tz)));
    if (out.length >= 256) process.stdout.write(`${out.splice(0).join('\n')}\n`);
  }
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
}

async function start(argv: string[]) {
  const path = option(argv, '--config');
  if (!path) {
    process.stderr.write(`start needs --config FILE\n\n${USAGE}`);
    process.exit(2);
  }
  let config: ReturnType<typeof loadGatewayConfig>;
  try {
    config = loadGatewayConfig(path);
  } catch (e) {
    if (e instanceof GatewayConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ name: 'vitals-gateway', level: config.logLevel });
  const homeFile = option(argv, '--simulate');
  let noble: unknown;
  let stopHome = () => {};
  if (homeFile) {
    const sim = await import('@vitals/firmware-sim').catch(() => {
      process.stderr.write('--simulate needs the firmware-sim package (a development dependency): run pnpm install\n');
      process.exit(2);
    });
    const home = sim.loadHome(homeFile);
    const running = sim.startSimulatedHome(home, {
      historyDays: Number(option(argv, '--history-days') ?? 0),
      spotEveryMs: Number(option(argv, '--spot-every') ?? 0) * 1000,
      onMeasurement: (m) =>
        log.info(
          { simulated: { kind: m.kind, address: m.address, at: m.at, values: m.values } },
          'simulated measurement',
        ),
    });
    noble = createRequire(import.meta.url)('@abandonware/noble/with-bindings')(running.bindings);
    stopHome = () => running.stop();
    log.info({ home: home.name, devices: home.devices.length }, 'simulated home: BLE devices are simulated');
  }
  const gw = await startGateway({ config, log, configPath: path, ...(noble ? { noble } : {}) });
  const shutdown = () => {
    stopHome();
    gw.stop().then(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'decode') await decode(rest);
else if (cmd === 'start') await start(rest);
else {
  process.stderr.write(USAGE);
  process.exit(cmd === '--help' ? 0 : 2);
}
