/**
 * The generic simulated BLE peripheral: a GATT database, advertising, one link to a central,
 * subscriptions (CCCD state), a battery, a wall clock that can be wrong, and injected faults.
 * Profile devices (devices/*.ts) add their services and measurement behaviour on top.
 */
import { encodeCurrentTime, parseWrittenDateTime } from './encoders/date-time.ts';
import { encodeBatteryLevel, encodeUtf8String } from './encoders/device-info.ts';
import { toHex } from './encoders/writer.ts';
import { naiveMs, naiveWallMs, type WallTime, wallOfNaive } from './wall-clock.ts';
import type { SimWorld } from './world.ts';

export type CharProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify' | 'indicate';

export interface SimCharacteristic {
  /** noble spelling: lower-case 16-bit hex ("2a35"). */
  uuid: string;
  properties: CharProperty[];
  read?: () => Uint8Array;
  write?: (data: Uint8Array) => void;
}

export interface SimService {
  uuid: string;
  characteristics: SimCharacteristic[];
}

/** The radio link to one central, implemented by the simulated bindings. */
export interface SimLink {
  /** Sends a notification or indication; resolves true once delivered (indication confirmed). */
  deliver(serviceUuid: string, characteristicUuid: string, data: Uint8Array): Promise<boolean>;
  /** The peripheral ends the link with an HCI reason (0x13 remote user terminated, 0x08 timeout). */
  drop(reason: number): void;
}

export type AdvertisingMode =
  /** Advertises whenever it is not connected (oximeters, always-on meters). */
  | { mode: 'always' }
  /** Advertises for `windowMs` after each measurement, then sleeps (BP monitors, thermometers, scales). */
  | { mode: 'after-measurement'; windowMs: number };

export type SimFault =
  /** During the next stored-record transfer, drop the link right after the n-th record went out. */
  | { kind: 'disconnect-mid-transfer'; afterRecords: number }
  /** The next measurement value sent is replaced by these bytes (default: the first 4 bytes). */
  | { kind: 'malformed-next'; bytes?: Uint8Array }
  /** On the next connection service discovery is never answered. */
  | { kind: 'hang-discovery' }
  /** On the next connection the link drops while characteristics are discovered. */
  | { kind: 'disconnect-during-discovery' };

export interface PeripheralOptions {
  /** Public address, e.g. "c4:7c:8d:6a:3f:21". */
  address: string;
  localName?: string;
  model?: string;
  manufacturer?: string;
  serialNumber?: string;
  firmwareRevision?: string;
  battery?: number;
  rssi?: number;
  advertising?: AdvertisingMode;
  /** Offers the Current Time Service (0x1805, Current Time 2A2B read/write). */
  currentTimeService?: boolean;
  /** Device clock offset from the world's wall time, ms (negative = late). */
  clockOffsetMs?: number;
}

export type DeviceKind = 'bp-monitor' | 'pulse-oximeter' | 'glucose-meter' | 'thermometer' | 'weight-scale';

/** Hooks the bindings call; not for tests. */
export interface PeripheralRadio {
  onConnect(link: SimLink): void;
  onDisconnect(): void;
  read(serviceUuid: string, characteristicUuid: string): Uint8Array;
  write(serviceUuid: string, characteristicUuid: string, data: Uint8Array): void;
  subscribe(serviceUuid: string, characteristicUuid: string, enabled: boolean): void;
  takeFault<K extends SimFault['kind']>(kind: K): Extract<SimFault, { kind: K }> | undefined;
}

export const HCI_REMOTE_USER_TERMINATED = 0x13;
export const HCI_CONNECTION_TIMEOUT = 0x08;

export abstract class SimPeripheral {
  abstract readonly kind: DeviceKind;
  readonly address: string;
  /** noble's peripheral id: the address without colons. */
  readonly id: string;
  readonly localName: string;
  readonly model: string;
  readonly manufacturer: string;
  readonly serialNumber: string;
  readonly firmwareRevision: string;
  rssi: number;
  /** Every value a central wrote, in order (hex), for assertions. */
  readonly writes: { characteristic: string; hex: string }[] = [];
  /** How many connections were established. */
  connections = 0;

  protected readonly world: SimWorld;
  protected link: SimLink | null = null;
  protected readonly subscriptions = new Set<string>();
  protected readonly advertisingMode: AdvertisingMode;
  private batteryLevel: number;
  private clockOffset: number;
  private advertisingNow = false;
  private advertisingTimer: ReturnType<typeof setInterval> | undefined;
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  private poweredOn = true;
  private readonly faults: SimFault[] = [];
  private gatt: SimService[] | undefined;
  private readonly hasCurrentTimeService: boolean;
  /** An after-measurement advertising window is open (advertising resumes after a link drops). */
  private windowOpen = false;

  constructor(
    world: SimWorld,
    opts: PeripheralOptions,
    defaults: { localName: string; model: string; manufacturer: string },
  ) {
    if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(opts.address)) {
      throw new Error(`address "${opts.address}" is not a BLE address like c4:7c:8d:6a:3f:21`);
    }
    this.world = world;
    this.address = opts.address.toLowerCase();
    this.id = this.address.replaceAll(':', '');
    this.localName = opts.localName ?? defaults.localName;
    this.model = opts.model ?? defaults.model;
    this.manufacturer = opts.manufacturer ?? defaults.manufacturer;
    this.serialNumber = opts.serialNumber ?? this.id.slice(-6).toUpperCase();
    this.firmwareRevision = opts.firmwareRevision ?? '1.0.0';
    this.batteryLevel = opts.battery ?? 90;
    this.rssi = opts.rssi ?? -60;
    this.advertisingMode = opts.advertising ?? { mode: 'always' };
    this.clockOffset = opts.clockOffsetMs ?? 0;
    this.hasCurrentTimeService = opts.currentTimeService ?? false;
  }

  /** The health service UUIDs the device puts in its advertisements. */
  abstract readonly advertisedServices: readonly string[];

  /** Profile services (health service first); common services are added by the base. */
  protected abstract profileServices(): SimService[];

  /** Called once the world has registered the device. */
  start(): void {
    if (this.advertisingMode.mode === 'always') this.startAdvertising();
  }

  get services(): readonly SimService[] {
    if (!this.gatt) this.gatt = [...this.profileServices(), ...this.commonServices()];
    return this.gatt;
  }

  get connected(): boolean {
    return this.link !== null;
  }

  get advertising(): boolean {
    return this.advertisingNow;
  }

  get battery(): number {
    return this.batteryLevel;
  }

  isSubscribed(characteristicUuid: string): boolean {
    return this.subscriptions.has(characteristicUuid);
  }

  /** Starts advertising; with `windowMs` it stops by itself after that long (unless connected). */
  startAdvertising(windowMs?: number): void {
    if (!this.poweredOn) return;
    clearTimeout(this.windowTimer);
    if (windowMs !== undefined) {
      this.windowOpen = true;
      this.windowTimer = this.world.timeout(() => this.stopAdvertising(), windowMs);
    }
    if (this.advertisingNow || this.link) {
      this.advertisingNow = !this.link;
      return;
    }
    this.advertisingNow = true;
    this.world.advertiseSoon(this);
    this.advertisingTimer = this.world.interval(
      () => this.world.advertiseSoon(this),
      this.world.timing.advertisingIntervalMs,
    );
  }

  stopAdvertising(): void {
    clearTimeout(this.windowTimer);
    this.windowOpen = false;
    this.pauseAdvertising();
  }

  /** Turns the device off: drops any link and stops advertising. */
  powerOff(): void {
    this.poweredOn = false;
    this.stopAdvertising();
    this.onPowerOff();
    if (this.link) this.link.drop(HCI_REMOTE_USER_TERMINATED);
  }

  powerOn(): void {
    this.poweredOn = true;
    if (this.advertisingMode.mode === 'always') this.startAdvertising();
  }

  /** The radio link drops now, as when the patient walks out of range (HCI 0x08 supervision timeout). */
  disconnectNow(reason = HCI_CONNECTION_TIMEOUT): void {
    this.link?.drop(reason);
  }

  setBattery(percent: number): void {
    this.batteryLevel = percent;
    void this.send('180f', '2a19', encodeBatteryLevel(percent));
  }

  /** The device's wall clock now. */
  clockNow(): WallTime {
    return wallOfNaive(this.clockNaiveMs());
  }

  /** Sets the device clock to a wall time (as a user or a central would). */
  setClock(time: WallTime): void {
    this.clockOffset = naiveMs(time) - naiveWallMs(this.world.now(), this.world.tz);
  }

  /** The clock resets, as after a battery change: 2000-01-01 00:00:00 unless told otherwise. */
  resetClock(to: WallTime = { year: 2000, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 }): void {
    this.setClock(to);
  }

  /** Clock error against the world's wall time, ms. */
  get clockOffsetMs(): number {
    return this.clockOffset;
  }

  injectFault(fault: SimFault): void {
    this.faults.push(fault);
  }

  /** The bindings' view of the device. */
  readonly radio: PeripheralRadio = {
    onConnect: (link) => {
      this.link = link;
      this.connections++;
      this.pauseAdvertising();
      this.onConnected();
    },
    onDisconnect: () => {
      this.link = null;
      this.subscriptions.clear();
      this.onDisconnected();
      if (this.poweredOn && (this.advertisingMode.mode === 'always' || this.windowOpen)) this.resumeAdvertising();
    },
    read: (s, c) => this.characteristic(s, c)?.read?.() ?? new Uint8Array(0),
    write: (s, c, data) => {
      this.writes.push({ characteristic: c, hex: toHex(data) });
      this.characteristic(s, c)?.write?.(data);
    },
    subscribe: (_s, c, enabled) => {
      if (enabled) {
        this.subscriptions.add(c);
        this.onSubscribed(c);
      } else {
        this.subscriptions.delete(c);
        this.onUnsubscribed(c);
      }
    },
    takeFault: <K extends SimFault['kind']>(kind: K) => {
      const i = this.faults.findIndex((f) => f.kind === kind);
      if (i < 0) return undefined;
      return this.faults.splice(i, 1)[0] as Extract<SimFault, { kind: K }>;
    },
  };

  /**
   * Sends a notification or indication if the central subscribed; resolves true once delivered.
   * The 'malformed-next' fault replaces the value here.
   */
  protected async send(serviceUuid: string, characteristicUuid: string, value: Uint8Array): Promise<boolean> {
    if (!this.link || !this.subscriptions.has(characteristicUuid)) return false;
    let data = value;
    if (serviceUuid !== '180f' && characteristicUuid !== '2a52') {
      const fault = this.radio.takeFault('malformed-next');
      if (fault) data = fault.bytes ?? value.subarray(0, Math.min(4, value.length));
    }
    return this.link.deliver(serviceUuid, characteristicUuid, data);
  }

  protected clockNaiveMs(): number {
    return naiveWallMs(this.world.now(), this.world.tz) + this.clockOffset;
  }

  protected onConnected(): void {}
  protected onDisconnected(): void {}
  protected onSubscribed(_characteristicUuid: string): void {}
  protected onUnsubscribed(_characteristicUuid: string): void {}
  protected onPowerOff(): void {}

  /** After a measurement: advertise for the window (after-measurement devices). */
  protected announceMeasurement(): void {
    if (this.advertisingMode.mode === 'after-measurement' && !this.link) {
      this.startAdvertising(this.advertisingMode.windowMs);
    }
  }

  /** Ends the link from the device side after `ms`, as devices do when they are done. */
  protected hangUpAfter(ms: number): void {
    const link = this.link;
    this.world.timeout(() => {
      if (this.link === link && link) {
        if (this.advertisingMode.mode === 'after-measurement') this.stopAdvertising();
        link.drop(HCI_REMOTE_USER_TERMINATED);
      }
    }, ms);
  }

  private pauseAdvertising(): void {
    this.advertisingNow = false;
    clearInterval(this.advertisingTimer);
    this.advertisingTimer = undefined;
  }

  private resumeAdvertising(): void {
    if (this.advertisingNow) return;
    this.advertisingNow = true;
    this.world.advertiseSoon(this);
    this.advertisingTimer = this.world.interval(
      () => this.world.advertiseSoon(this),
      this.world.timing.advertisingIntervalMs,
    );
  }

  private characteristic(serviceUuid: string, characteristicUuid: string): SimCharacteristic | undefined {
    return this.services
      .find((s) => s.uuid === serviceUuid)
      ?.characteristics.find((c) => c.uuid === characteristicUuid);
  }

  private commonServices(): SimService[] {
    const str = (uuid: string, value: string): SimCharacteristic => ({
      uuid,
      properties: ['read'],
      read: () => encodeUtf8String(value),
    });
    const services: SimService[] = [
      {
        uuid: '180a',
        characteristics: [
          str('2a29', this.manufacturer),
          str('2a24', this.model),
          str('2a25', this.serialNumber),
          str('2a26', this.firmwareRevision),
        ],
      },
      {
        uuid: '180f',
        characteristics: [
          { uuid: '2a19', properties: ['read', 'notify'], read: () => encodeBatteryLevel(this.batteryLevel) },
        ],
      },
    ];
    if (this.hasCurrentTimeService) {
      services.push({
        uuid: '1805',
        characteristics: [
          {
            uuid: '2a2b',
            properties: ['read', 'write', 'notify'],
            read: () => encodeCurrentTime({ time: this.clockNow() }),
            write: (data) => {
              const t = parseWrittenDateTime(data);
              if (t) this.setClock(t);
            },
          },
        ],
      });
    }
    return services;
  }
}
