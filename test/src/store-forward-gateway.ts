/**
 * A real gateway process for the store-and-forward fault-injection tests: `startGateway`
 * (outbox, pipeline, link, status file, config reload) with BLE and serial off, fed by a
 * simulated store-and-forward pulse oximeter instead of a radio.
 *
 * The device measures `--rate` times per real second, each measurement time-stamped one
 * second after the previous (a fast-measuring device: 10/s compresses 5 minutes of device
 * time into 30 s), and keeps its records in its own memory, as BLE devices with a record
 * store do. Record n (from 0) has device time `--t0` + n s, SpO2 90 + n % 10, pulse 60 + n % 40,
 * (device-local, Asia/Tokyo) and exists from `--start` + n / rate (real time), up to `--count` records. The gateway
 * downloads records from its cursor (outbox state), sends each through the real pipeline as
 * a PLX Spot-Check frame (2A5E), then advances the cursor, so a SIGKILL at any moment at most
 * re-downloads a record (same content id: stored once). The set of produced readings is
 * therefore known: 2 x count readings (spo2, pulse_rate) at t0 + n s.
 *
 * usage: node --import tsx test/src/store-forward-gateway.ts --config FILE --start MS --t0 MS --rate N --count N
 */
import { encodePlxSpotCheck } from '@vitals/firmware-sim/ble/encoders/pulse-oximeter.ts';
import { GatewayClock } from '@vitals/gateway/clock/gateway-clock.ts';
import { loadGatewayConfig } from '@vitals/gateway/config.ts';
import { startGateway } from '@vitals/gateway/gateway.ts';
import { simDevice, simRecord } from './store-forward-sim.ts';

function arg(name: string): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  if (!Number.isFinite(v)) throw new Error(`${name} NUMBER is required`);
  return v;
}

const configPath = process.argv[process.argv.indexOf('--config') + 1]!;
const start = arg('--start');
const t0 = arg('--t0');
const rate = arg('--rate');
const count = arg('--count');

const config = loadGatewayConfig(configPath);
const log = {
  info: (detail: unknown, msg?: string) => process.stdout.write(`${JSON.stringify({ msg: msg ?? detail, detail })}\n`),
};
// The test machine's NTP state is not under test here (clock.test.ts covers it).
const clock = new GatewayClock({ probe: async () => true });
const gw = await startGateway({ config: { ...config, ble: { ...config.ble, enabled: false } }, clock, configPath });
const device = simDevice(config.gatewayId);
const CURSOR = `cursor:${device.id}`;

const tick = () => {
  const available = Math.min(count, Math.floor(((Date.now() - start) * rate) / 1000));
  let cursor = Number(gw.outbox.getState(CURSOR) ?? '0');
  // A download session: at most 200 records per tick, as a device would send them.
  const until = Math.min(available, cursor + 200);
  while (cursor < until) {
    gw.pipeline.frame({
      kind: 'ble',
      device,
      characteristic: '2A5E',
      bytes: encodePlxSpotCheck(simRecord(cursor, t0)),
      context: {},
      receivedAt: new Date(),
    });
    cursor++;
    gw.outbox.setState(CURSOR, String(cursor));
  }
  if (cursor >= count && !announced) {
    announced = true;
    log.info({ records: count }, 'simulated device: all records downloaded');
  }
};
let announced = false;
const timer = setInterval(tick, 50);
log.info('store-forward test gateway running');

const shutdown = () => {
  clearInterval(timer);
  void gw.stop().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
