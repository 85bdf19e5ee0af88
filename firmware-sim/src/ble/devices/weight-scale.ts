/** A Weight Scale (0x181D) that indicates stored Weight Measurements (2A9D), then hangs up. */
import { CM_PER_IN, KG_PER_LB, roundTo } from '@vitals/contract';
import {
  encodeWeightMeasurement,
  encodeWeightScaleFeature,
  type WeightResolutionCode,
} from '../encoders/weight-scale.ts';
import type { PeripheralOptions, SimService } from '../peripheral.ts';
import type { WallTime } from '../wall-clock.ts';
import type { SimWorld } from '../world.ts';
import { StoreAndForwardPeripheral } from './store-and-forward.ts';

export interface WeightScaleOptions extends PeripheralOptions {
  unit?: 'kg' | 'lb';
  /** The user's height in metres; when given, measurements carry BMI and height. */
  heightM?: number;
  weightResolution?: WeightResolutionCode;
  advertisingWindowMs?: number;
  hangUpAfterTransferMs?: number | null;
}

export interface WeightValues {
  /** Kilograms; a pound scale converts. null = unsuccessful measurement. */
  kg: number | null;
  time?: WallTime;
  userId?: number;
}

export class WeightScale extends StoreAndForwardPeripheral {
  readonly kind = 'weight-scale' as const;
  readonly advertisedServices = ['181d'] as const;
  readonly unit: 'kg' | 'lb';
  protected readonly measurementService = '181d';
  protected readonly measurementCharacteristic = '2a9d';
  protected readonly hangUpAfterTransferMs: number | null;
  private readonly heightM: number | undefined;
  private readonly weightResolution: WeightResolutionCode;

  constructor(world: SimWorld, opts: WeightScaleOptions) {
    super(
      world,
      { advertising: { mode: 'after-measurement', windowMs: opts.advertisingWindowMs ?? 5000 }, ...opts },
      { localName: 'A&D_UC-352', model: 'UC-352BLE', manufacturer: 'A&D Medical' },
    );
    this.unit = opts.unit ?? 'kg';
    this.heightM = opts.heightM;
    this.weightResolution = opts.weightResolution ?? 4;
    this.hangUpAfterTransferMs = opts.hangUpAfterTransferMs === undefined ? 200 : opts.hangUpAfterTransferMs;
  }

  measure(v: WeightValues): Uint8Array {
    const h = this.heightM;
    const weight = v.kg === null ? null : this.unit === 'lb' ? v.kg / KG_PER_LB : v.kg;
    const bmi = v.kg !== null && h !== undefined ? { bmi: roundTo(v.kg / (h * h), 1), height: this.heightIn(h) } : {};
    const bytes = encodeWeightMeasurement({
      unit: this.unit,
      weight,
      time: v.time ?? this.clockNow(),
      ...(v.userId !== undefined ? { userId: v.userId } : {}),
      ...bmi,
    });
    this.store(bytes);
    return bytes;
  }

  private heightIn(m: number): number {
    // Imperial scales report inches: metres -> cm -> in through the contract's factor.
    return this.unit === 'kg' ? m : (m * 100) / CM_PER_IN;
  }

  protected profileServices(): SimService[] {
    return [
      {
        uuid: '181d',
        characteristics: [
          { uuid: '2a9d', properties: ['indicate'] },
          {
            uuid: '2a9e',
            properties: ['read'],
            read: () =>
              encodeWeightScaleFeature({
                timeStamp: true,
                bmi: this.heightM !== undefined,
                weightResolution: this.weightResolution,
                heightResolution: this.heightM !== undefined ? 3 : 0,
              }),
          },
        ],
      },
    ];
  }
}
