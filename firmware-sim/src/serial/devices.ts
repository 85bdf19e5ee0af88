/**
 * Simulated serial devices that run on a PtyLink: continuous oximeters that stream packets
 * at their real rate, and the glucose meter that answers commands.
 */
import { type Cms50dSample, encodeCms50dPacket } from './cms50d.ts';
import { ByteCorruptor, type CorruptionOptions } from './corruption.ts';
import { encodeNoninPacket, type NoninPacketSample } from './nonin.ts';
import { type MeterOptions, OneTouchUltra2Meter } from './onetouch-ultra2-meter.ts';
import type { PtyLink } from './pty.ts';

export interface SimulatedSerialDevice {
  /** The device is plugged in on `link`. */
  attach(link: PtyLink): void;
  /** The device is unplugged. */
  detach(): void;
}

export interface StreamingOptions {
  corruption?: CorruptionOptions;
  /** Send interval; packets due in an interval go out together, as a USB-serial chip would. */
  tickMs?: number;
}

/** Streams encoded packets at `packetsPerSecond` while attached. */
export class StreamingDevice implements SimulatedSerialDevice {
  private timer: NodeJS.Timeout | null = null;
  private link: PtyLink | null = null;
  private started = 0;
  private due = 0;
  /** Packets sent so far (across plug cycles). */
  sent = 0;
  corruptor: ByteCorruptor | null;

  constructor(
    private readonly packetsPerSecond: number,
    private readonly nextPacket: (index: number) => Uint8Array,
    private readonly o: StreamingOptions = {},
  ) {
    this.corruptor = o.corruption ? new ByteCorruptor(o.corruption) : null;
  }

  attach(link: PtyLink): void {
    this.detach();
    this.link = link;
    this.started = Date.now();
    this.due = 0;
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 50);
  }

  detach(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.link = null;
  }

  private tick(): void {
    if (!this.link) return;
    const target = Math.floor(((Date.now() - this.started) / 1000) * this.packetsPerSecond);
    const parts: Uint8Array[] = [];
    for (; this.due < target; this.due++) parts.push(this.nextPacket(this.sent++));
    if (parts.length === 0) return;
    const bytes = new Uint8Array(Buffer.concat(parts));
    this.link.write(this.corruptor ? this.corruptor.apply(bytes) : bytes);
  }
}

/** A CMS50D+ streaming 60 packets per second; `sample(i)` gives packet i's values. */
export function cms50dDevice(sample: (i: number) => Cms50dSample = defaultCms50d, o?: StreamingOptions) {
  return new StreamingDevice(60, (i) => encodeCms50dPacket(sample(i)), o);
}

/** A Nonin OEM III streaming 3 packets (75 frames) per second. */
export function noninDevice(sample: (i: number) => NoninPacketSample = defaultNonin, o?: StreamingOptions) {
  return new StreamingDevice(3, (i) => encodeNoninPacket(sample(i)), o);
}

function defaultCms50d(i: number): Cms50dSample {
  return { spo2: 97 - (Math.floor(i / 60) % 3), pulseRate: 72 + (Math.floor(i / 30) % 4), pleth: (i * 7) % 128 };
}

function defaultNonin(i: number): NoninPacketSample {
  return { hr: 68 + (i % 3), spo2: 96 + (i % 2), perfusion: 'green' };
}

/** The OneTouch Ultra 2 on a cable: answers commands while attached. */
export class MeterDevice implements SimulatedSerialDevice {
  readonly meter: OneTouchUltra2Meter;
  private link: PtyLink | null = null;
  private readonly onData = (bytes: Uint8Array) => {
    const answer = this.meter.receive(bytes);
    if (answer.length > 0) this.link?.write(answer);
  };

  constructor(options: MeterOptions | OneTouchUltra2Meter = {}) {
    this.meter = options instanceof OneTouchUltra2Meter ? options : new OneTouchUltra2Meter(options);
  }

  attach(link: PtyLink): void {
    this.detach();
    this.link = link;
    link.on('data', this.onData);
  }

  detach(): void {
    this.link?.off('data', this.onData);
    this.link = null;
  }
}
