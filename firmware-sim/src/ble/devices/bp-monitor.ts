/**
 * A home blood pressure monitor in the style of the A&D UA-651BLE: after a measurement it
 * advertises for a short window, indicates every stored Blood Pressure Measurement (2A35) once a
 * central subscribes, then hangs up. It offers Current Time (2A2B) so a gateway can set its clock.
 */
import { MMHG_PER_KPA, roundTo } from '@vitals/contract';
import {
  type BpMeasurementStatus,
  encodeBloodPressureFeature,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
  type PressureUnit,
} from '../encoders/blood-pressure.ts';
import type { PeripheralOptions, SimService } from '../peripheral.ts';
import type { WallTime } from '../wall-clock.ts';
import type { SimWorld } from '../world.ts';
import { StoreAndForwardPeripheral } from './store-and-forward.ts';

export interface BpMonitorOptions extends PeripheralOptions {
  unit?: PressureUnit;
  /** How long it advertises after a measurement; 5 s by default. */
  advertisingWindowMs?: number;
  /** Hangs up this long after the last record; null keeps the link. 200 ms by default. */
  hangUpAfterTransferMs?: number | null;
  userId?: number;
}

export interface BpValues {
  /** mmHg; a kPa device converts and rounds to 0.1 kPa. */
  systolic: number;
  diastolic: number;
  /** Computed as diastolic + (systolic - diastolic) / 3 when left out. */
  meanArterial?: number;
  pulseRate?: number;
  status?: BpMeasurementStatus;
  /** Time stamp; the device clock's time when left out. */
  time?: WallTime;
  userId?: number;
}

export class BpMonitor extends StoreAndForwardPeripheral {
  readonly kind = 'bp-monitor' as const;
  readonly advertisedServices = ['1810'] as const;
  readonly unit: PressureUnit;
  protected readonly measurementService = '1810';
  protected readonly measurementCharacteristic = '2a35';
  protected readonly hangUpAfterTransferMs: number | null;
  private readonly userId: number | undefined;

  constructor(world: SimWorld, opts: BpMonitorOptions) {
    super(
      world,
      {
        currentTimeService: true,
        advertising: { mode: 'after-measurement', windowMs: opts.advertisingWindowMs ?? 5000 },
        ...opts,
      },
      { localName: 'A&D_UA-651', model: 'UA-651BLE', manufacturer: 'A&D Medical' },
    );
    this.unit = opts.unit ?? 'mmHg';
    this.hangUpAfterTransferMs = opts.hangUpAfterTransferMs === undefined ? 200 : opts.hangUpAfterTransferMs;
    this.userId = opts.userId;
  }

  /** Takes a measurement: stores it and advertises. Returns the 2A35 value as stored. */
  measure(v: BpValues): Uint8Array {
    const mean = v.meanArterial ?? Math.round(v.diastolic + (v.systolic - v.diastolic) / 3);
    const p = (mmHg: number) => (this.unit === 'kPa' ? roundTo(mmHg / MMHG_PER_KPA, 1) : mmHg);
    const userId = v.userId ?? this.userId;
    const bytes = encodeBloodPressureMeasurement({
      unit: this.unit,
      systolic: p(v.systolic),
      diastolic: p(v.diastolic),
      meanArterial: p(mean),
      time: v.time ?? this.clockNow(),
      ...(v.pulseRate !== undefined ? { pulseRate: v.pulseRate } : {}),
      ...(userId !== undefined ? { userId } : {}),
      ...(v.status ? { status: v.status } : {}),
    });
    this.store(bytes);
    return bytes;
  }

  /** Sends an Intermediate Cuff Pressure (2A36) notification if a central listens (mmHg in). */
  inflate(cuffMmHg: number): Promise<boolean> {
    const value = this.unit === 'kPa' ? roundTo(cuffMmHg / MMHG_PER_KPA, 1) : cuffMmHg;
    return this.send('1810', '2a36', encodeIntermediateCuffPressure({ unit: this.unit, cuffPressure: value }));
  }

  protected profileServices(): SimService[] {
    return [
      {
        uuid: '1810',
        characteristics: [
          { uuid: '2a35', properties: ['indicate'] },
          { uuid: '2a36', properties: ['notify'] },
          {
            uuid: '2a49',
            properties: ['read'],
            read: () => encodeBloodPressureFeature({ bodyMovement: true, irregularPulse: true }),
          },
        ],
      },
    ];
  }
}
