/**
 * A Pulse Oximeter (PLX service 0x1822) that is always on while a finger is in: it advertises
 * when not connected, streams PLX Continuous Measurements (2A5F notifications) at `rateHz` to a
 * subscribed central and indicates spot-check measurements (2A5E). PLX Features 2A60 is readable.
 */
import {
  encodePlxContinuous,
  encodePlxFeatures,
  encodePlxSpotCheck,
  type PlxContinuous,
  type PlxFeatures,
  type PlxSpotCheck,
} from '../encoders/pulse-oximeter.ts';
import type { PeripheralOptions, SimService } from '../peripheral.ts';
import type { SimWorld } from '../world.ts';
import { StoreAndForwardPeripheral } from './store-and-forward.ts';

export interface PulseOximeterOptions extends PeripheralOptions {
  /** Offers 2A5F and streams while subscribed; true by default. */
  continuous?: boolean;
  /** Continuous measurements per second; 1 by default. */
  rateHz?: number;
  /** The n-th continuous sample (n from 0); a steady, seeded SpO2 ~96-98 by default. */
  sample?: (n: number) => PlxContinuous;
  features?: PlxFeatures;
}

export interface SpotCheckValues extends Omit<PlxSpotCheck, 'time'> {
  /** Adds the device clock time stamp; true by default. */
  timeStamp?: boolean;
}

export class PulseOximeter extends StoreAndForwardPeripheral {
  readonly kind = 'pulse-oximeter' as const;
  readonly advertisedServices = ['1822'] as const;
  readonly continuous: boolean;
  protected readonly measurementService = '1822';
  protected readonly measurementCharacteristic = '2a5e';
  protected readonly hangUpAfterTransferMs = null;
  private readonly rateHz: number;
  private readonly sample: (n: number) => PlxContinuous;
  private readonly features: PlxFeatures;
  private streamTimer: ReturnType<typeof setInterval> | undefined;
  private sampleIndex = 0;

  constructor(world: SimWorld, opts: PulseOximeterOptions) {
    super(
      world,
      { advertising: { mode: 'always' }, ...opts },
      {
        localName: 'Nonin3230',
        model: '3230',
        manufacturer: 'Nonin Medical',
      },
    );
    this.continuous = opts.continuous ?? true;
    this.rateHz = opts.rateHz ?? 1;
    this.features = opts.features ?? {
      measurementStatusSupport: ['measurementOngoing', 'validatedData'],
      deviceSensorStatusSupport: ['sensorDisconnected', 'lowPerfusionDetected'],
      spotCheckTimeStamp: true,
      pulseAmplitudeIndex: true,
    };
    this.sample =
      opts.sample ??
      (() => {
        const r = world.random;
        const dip = r.chance(0.01);
        return {
          spo2: dip ? r.int(88, 92) : Math.min(100, Math.max(94, Math.round(r.normal(97, 0.8)))),
          pulseRate: Math.round(r.normal(72, 3)),
        };
      });
  }

  /** Indicates a spot-check measurement (stored until a central subscribes). */
  measure(v: SpotCheckValues): Uint8Array {
    const { timeStamp, ...rest } = v;
    const bytes = encodePlxSpotCheck({ ...rest, ...(timeStamp === false ? {} : { time: this.clockNow() }) });
    this.store(bytes);
    return bytes;
  }

  /** How many continuous samples went out so far. */
  get samplesSent(): number {
    return this.sampleIndex;
  }

  protected override onSubscribed(characteristicUuid: string): void {
    super.onSubscribed(characteristicUuid);
    if (characteristicUuid === '2a5f' && this.continuous && !this.streamTimer) {
      this.streamTimer = this.world.interval(() => {
        const n = this.sampleIndex++;
        void this.send('1822', '2a5f', encodePlxContinuous(this.sample(n)));
      }, 1000 / this.rateHz);
    }
  }

  protected override onUnsubscribed(characteristicUuid: string): void {
    if (characteristicUuid === '2a5f') this.stopStream();
  }

  protected override onDisconnected(): void {
    super.onDisconnected();
    this.stopStream();
  }

  protected override onPowerOff(): void {
    this.stopStream();
  }

  protected profileServices(): SimService[] {
    return [
      {
        uuid: '1822',
        characteristics: [
          { uuid: '2a5e', properties: ['indicate'] },
          ...(this.continuous ? [{ uuid: '2a5f', properties: ['notify' as const] }] : []),
          { uuid: '2a60', properties: ['read'], read: () => encodePlxFeatures(this.features) },
        ],
      },
    ];
  }

  private stopStream(): void {
    clearInterval(this.streamTimer);
    this.streamTimer = undefined;
  }
}
