/**
 * The part of @abandonware/noble the BLE transport uses, as structural types, so the transport
 * runs on the real noble (HCI socket or simulated bindings) and tests need no casts beyond one.
 * Callbacks follow noble 1.9.2: (error, value); error is null or undefined on success.
 */

export type NobleError = Error | string | null | undefined;

export interface CharacteristicLike {
  /** noble spelling: lower-case hex ("2a35"). */
  readonly uuid: string;
  /** "read", "write", "writeWithoutResponse", "notify", "indicate", ... */
  readonly properties: readonly string[];
  read(callback: (error: NobleError, data: Buffer) => void): void;
  write(data: Buffer, withoutResponse: boolean, callback: (error?: NobleError) => void): void;
  subscribe(callback: (error?: NobleError) => void): void;
  on(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
  removeListener(event: 'data', listener: (data: Buffer, isNotification: boolean) => void): unknown;
}

export interface ServiceLike {
  readonly uuid: string;
  discoverCharacteristics(
    uuids: string[],
    callback: (error: NobleError, characteristics: CharacteristicLike[]) => void,
  ): void;
}

export interface PeripheralLike {
  readonly id: string;
  /** "c4:7c:8d:6a:3f:21" on Linux; "unknown" or "" on some platforms. */
  readonly address: string;
  readonly rssi: number;
  readonly state: string;
  readonly advertisement?: { localName?: string; serviceUuids?: string[] };
  connect(callback: (error?: NobleError) => void): void;
  cancelConnect(): void;
  disconnect(callback?: () => void): void;
  discoverServices(uuids: string[], callback: (error: NobleError, services: ServiceLike[]) => void): void;
  once(event: 'disconnect', listener: (reason?: number) => void): unknown;
  removeListener(event: 'disconnect', listener: (reason?: number) => void): unknown;
}

export interface NobleLike {
  /** Reading it initialises the bindings (noble 1.9.2). */
  readonly state: string;
  on(event: 'stateChange', listener: (state: string) => void): unknown;
  on(event: 'discover', listener: (peripheral: PeripheralLike) => void): unknown;
  removeListener(event: 'stateChange', listener: (state: string) => void): unknown;
  removeListener(event: 'discover', listener: (peripheral: PeripheralLike) => void): unknown;
  startScanning(serviceUuids: string[], allowDuplicates: boolean, callback?: (error?: NobleError) => void): void;
  stopScanning(callback?: () => void): void;
}
