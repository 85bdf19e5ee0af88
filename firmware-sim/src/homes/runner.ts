/**
 * Runs a simulated home: builds its devices in a SimWorld, fills their memories with the
 * last days of measurements (as if the household had measured while the gateway was away),
 * then keeps measuring: the continuous oximeter streams, and the spot devices (BP monitor,
 * thermometer, scale, glucose meter) take a measurement in turn every `spotEveryMs` (the
 * household's days compressed, so a demo shows all kinds of readings within minutes).
 * The returned bindings plug into the real noble (`@abandonware/noble/with-bindings`).
 */
import {
  buildHome,
  createSimulatedBindings,
  generatorFor,
  type HomeMeasurement,
  type HomeSpec,
  homeTimeline,
  type SimulatedBindings,
  SimWorld,
  takeMeasurement,
  wallTimeAt,
} from '../ble/index.ts';

export interface SimulatedHomeOptions {
  /** Days of stored measurements to put in the devices' memories at start (0 = none). */
  historyDays?: number;
  /** Take one spot measurement every this many ms (0 = only the home's daily schedule). */
  spotEveryMs?: number;
  onMeasurement?(m: HomeMeasurement): void;
}

export interface SimulatedHome {
  world: SimWorld;
  bindings: SimulatedBindings;
  stop(): void;
}

/** A measurement's values with its time stamp set to when it was taken (for stored history). */
function stamped(m: HomeMeasurement, tz: string): HomeMeasurement {
  if (m.kind === 'pulse-oximeter') return m;
  const time = wallTimeAt(m.at.getTime(), tz);
  return { ...m, values: { ...m.values, time } } as HomeMeasurement;
}

export function startSimulatedHome(home: HomeSpec, opts: SimulatedHomeOptions = {}): SimulatedHome {
  const world = new SimWorld({ seed: home.seed, tz: home.timezone });
  buildHome(world, home);
  const bindings = createSimulatedBindings(world);
  const now = Date.now();
  if (opts.historyDays)
    for (const m of homeTimeline(home, new Date(now - opts.historyDays * 86_400_000), new Date(now))) {
      if (m.kind === 'pulse-oximeter') continue; // spot checks of the oximeter are not stored
      takeMeasurement(world, stamped(m, home.timezone));
      opts.onMeasurement?.(m);
    }

  const gen = generatorFor(home);
  const spot = home.devices.filter((d) => d.kind !== 'pulse-oximeter');
  let turn = 0;
  const timer =
    opts.spotEveryMs && spot.length
      ? setInterval(() => {
          const d = spot[turn++ % spot.length]!;
          const at = new Date();
          let m: HomeMeasurement;
          switch (d.kind) {
            case 'bp-monitor': {
              const bp = gen.bloodPressure(at);
              m = {
                kind: d.kind,
                address: d.address,
                at,
                values: { systolic: bp.systolic, diastolic: bp.diastolic, pulseRate: bp.pulseRate },
              };
              break;
            }
            case 'thermometer':
              m = { kind: d.kind, address: d.address, at, values: { temperature: gen.temperature(at) } };
              break;
            case 'weight-scale':
              m = { kind: d.kind, address: d.address, at, values: { kg: gen.weightKg(at) } };
              break;
            case 'glucose-meter':
              m = { kind: d.kind, address: d.address, at, values: { mgdl: gen.glucose(at, 'casual') } };
              break;
            default:
              return;
          }
          takeMeasurement(world, m);
          opts.onMeasurement?.(m);
        }, opts.spotEveryMs)
      : undefined;

  return {
    world,
    bindings,
    stop() {
      clearInterval(timer);
      world.close();
    },
  };
}
