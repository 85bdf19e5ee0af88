/**
 * One GATT connection as promises. noble never calls back when the link drops in the middle
 * of an operation, so every operation races the link's loss and a timeout.
 */
import type { CharacteristicLike, NobleError, PeripheralLike, ServiceLike } from './noble-like.ts';

/** The link dropped; `reason` is the HCI disconnect reason when noble gave one. */
export class LinkLostError extends Error {
  constructor(readonly reason: number | undefined) {
    super(`link lost${reason === undefined ? '' : ` (HCI reason 0x${reason.toString(16).padStart(2, '0')})`}`);
    this.name = 'LinkLostError';
  }
}

/** A GATT step failed or timed out; `stage` names it for the device_error event. */
export class GattStepError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
    this.name = 'GattStepError';
  }
}

function errorText(e: NobleError): string {
  return e instanceof Error ? e.message : String(e);
}

export class Connection {
  /** Rejects with LinkLostError when the link drops. */
  readonly lost: Promise<never>;
  isLost = false;
  lostReason: number | undefined;
  private rejectLost!: (e: LinkLostError) => void;
  private readonly onDisconnect = (reason?: number) => {
    this.isLost = true;
    this.lostReason = reason;
    this.rejectLost(new LinkLostError(reason));
  };

  constructor(
    readonly peripheral: PeripheralLike,
    private readonly timeoutMs: number,
  ) {
    this.lost = new Promise<never>((_, reject) => {
      this.rejectLost = reject;
    });
    this.lost.catch(() => {});
    peripheral.once('disconnect', this.onDisconnect);
  }

  dispose(): void {
    this.peripheral.removeListener('disconnect', this.onDisconnect);
  }

  /** Runs one noble call with a callback; rejects on error, timeout or link loss. */
  call<T>(
    stage: string,
    start: (done: (error: NobleError, value?: T) => void) => void,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    if (this.isLost) return Promise.reject(new LinkLostError(this.lostReason));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const op = new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => reject(new GattStepError(stage, `no answer within ${timeoutMs} ms`)), timeoutMs);
      try {
        start((error, value) => {
          if (error) reject(new GattStepError(stage, errorText(error)));
          else resolve(value as T);
        });
      } catch (e) {
        reject(new GattStepError(stage, e instanceof Error ? e.message : String(e)));
      }
    });
    return Promise.race([op, this.lost]).finally(() => clearTimeout(timer));
  }

  discoverServices(): Promise<ServiceLike[]> {
    return this.call('discover_services', (done) => this.peripheral.discoverServices([], done));
  }

  discoverCharacteristics(service: ServiceLike): Promise<CharacteristicLike[]> {
    return this.call(`discover_characteristics_${service.uuid}`, (done) => service.discoverCharacteristics([], done));
  }

  read(c: CharacteristicLike): Promise<Buffer> {
    return this.call(`read_${c.uuid}`, (done) => c.read(done));
  }

  write(c: CharacteristicLike, data: Uint8Array): Promise<void> {
    const withoutResponse = !c.properties.includes('write') && c.properties.includes('writeWithoutResponse');
    return this.call(`write_${c.uuid}`, (done) => c.write(Buffer.from(data), withoutResponse, (e) => done(e)));
  }

  subscribe(c: CharacteristicLike): Promise<void> {
    return this.call(`subscribe_${c.uuid}`, (done) => c.subscribe((e) => done(e)));
  }

  /** Resolves after `ms`, or rejects earlier when the link drops. */
  sleep(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return Promise.race([wait, this.lost]).finally(() => clearTimeout(timer));
  }
}
