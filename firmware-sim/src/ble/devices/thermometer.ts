/** A Health Thermometer (0x1809) that indicates stored Temperature Measurements (2A1C), then hangs up. */
import {
  encodeTemperatureMeasurement,
  encodeTemperatureType,
  type TemperatureType,
} from '../encoders/health-thermometer.ts';
import type { PeripheralOptions, SimService } from '../peripheral.ts';
import type { WallTime } from '../wall-clock.ts';
import type { SimWorld } from '../world.ts';
import { StoreAndForwardPeripheral } from './store-and-forward.ts';

export interface ThermometerOptions extends PeripheralOptions {
  unit?: 'Cel' | 'degF';
  /** Readable Temperature Type 2A1D (site); armpit by default. */
  temperatureType?: TemperatureType;
  /** FLOAT exponent of readings: -1 (0.1 degree) by default. */
  exponent?: number;
  advertisingWindowMs?: number;
  hangUpAfterTransferMs?: number | null;
}

export interface TemperatureValues {
  /** In the device's unit. */
  temperature: number;
  time?: WallTime;
}

export class Thermometer extends StoreAndForwardPeripheral {
  readonly kind = 'thermometer' as const;
  readonly advertisedServices = ['1809'] as const;
  readonly unit: 'Cel' | 'degF';
  protected readonly measurementService = '1809';
  protected readonly measurementCharacteristic = '2a1c';
  protected readonly hangUpAfterTransferMs: number | null;
  private readonly temperatureType: TemperatureType;
  private readonly exponent: number;

  constructor(world: SimWorld, opts: ThermometerOptions) {
    super(
      world,
      { advertising: { mode: 'after-measurement', windowMs: opts.advertisingWindowMs ?? 5000 }, ...opts },
      { localName: 'A&D_UT201', model: 'UT-201BLE', manufacturer: 'A&D Medical' },
    );
    this.unit = opts.unit ?? 'Cel';
    this.temperatureType = opts.temperatureType ?? 'armpit';
    this.exponent = opts.exponent ?? -1;
    this.hangUpAfterTransferMs = opts.hangUpAfterTransferMs === undefined ? 200 : opts.hangUpAfterTransferMs;
  }

  measure(v: TemperatureValues): Uint8Array {
    const bytes = encodeTemperatureMeasurement({
      unit: this.unit,
      temperature: v.temperature,
      exponent: this.exponent,
      time: v.time ?? this.clockNow(),
    });
    this.store(bytes);
    return bytes;
  }

  protected profileServices(): SimService[] {
    return [
      {
        uuid: '1809',
        characteristics: [
          { uuid: '2a1c', properties: ['indicate'] },
          { uuid: '2a1d', properties: ['read'], read: () => encodeTemperatureType(this.temperatureType) },
        ],
      },
    ];
  }
}
