/**
 * Simulated noble bindings: the object noble's `with-bindings` entry takes in place of the HCI
 * socket, so the real noble code (Noble, Peripheral, Service, Characteristic) runs against the
 * simulated world:
 *
 *   const noble = createRequire(import.meta.url)('@abandonware/noble/with-bindings')(
 *     createSimulatedBindings(world));
 *
 * It has the methods noble calls on `lib/hci-socket/bindings.js` and emits the same events with
 * the same arguments (UUIDs lower-case hex, values as Buffers), always asynchronously and in
 * order per link, after `radioLatencyMs`, as a radio would.
 */
import { EventEmitter } from 'node:events';
import type { SimLink, SimPeripheral } from './peripheral.ts';
import { nobleUuid } from './uuid.ts';
import type { SimScanner, SimWorld } from './world.ts';

/** HCI disconnect reason when the central ends the link: connection terminated by local host. */
const HCI_LOCAL_HOST_TERMINATED = 0x16;

export interface SimulatedBindingsOptions {
  /** The adapter's own address, reported through `addressChange`. */
  address?: string;
}

class Link implements SimLink {
  open = true;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly bindings: SimulatedBindings,
    readonly device: SimPeripheral,
    private readonly latencyMs: number,
  ) {}

  /** Runs `fn` after the radio latency, in order with everything else on this link. */
  enqueue(fn: () => void): Promise<boolean> {
    const run = this.tail.then(
      () =>
        new Promise<boolean>((resolve) => {
          const go = () => {
            if (!this.open) return resolve(false);
            fn();
            resolve(true);
          };
          if (this.latencyMs > 0) setTimeout(go, this.latencyMs);
          else setImmediate(go);
        }),
    );
    this.tail = run;
    return run;
  }

  deliver(serviceUuid: string, characteristicUuid: string, data: Uint8Array): Promise<boolean> {
    return this.enqueue(() =>
      this.bindings.emit('read', this.device.id, serviceUuid, characteristicUuid, Buffer.from(data), true),
    );
  }

  drop(reason: number): void {
    this.bindings.closeLink(this, reason);
  }
}

export class SimulatedBindings extends EventEmitter implements SimScanner {
  private readonly world: SimWorld;
  private readonly ownAddress: string;
  private scanning = false;
  private scanFilter: string[] = [];
  private readonly pendingConnects = new Set<string>();
  private readonly links = new Map<string, Link>();
  private hangDiscovery = new Set<string>();

  constructor(world: SimWorld, opts: SimulatedBindingsOptions = {}) {
    super();
    this.world = world;
    this.ownAddress = opts.address ?? '00:1a:7d:da:71:13';
    world.attachScanner(this);
  }

  // --- noble -> bindings ---------------------------------------------------------------

  init(): void {
    setImmediate(() => {
      this.emit('addressChange', this.ownAddress);
      this.emit('stateChange', 'poweredOn');
    });
  }

  setScanParameters(): void {
    setImmediate(() => this.emit('scanParametersSet'));
  }

  startScanning(serviceUuids?: string[], allowDuplicates?: boolean): void {
    this.scanFilter = (serviceUuids ?? []).map(nobleUuid);
    this.scanning = true;
    setImmediate(() => this.emit('scanStart', !allowDuplicates));
  }

  stopScanning(): void {
    this.scanning = false;
    setImmediate(() => this.emit('scanStop'));
  }

  reset(): void {}

  connect(peripheralUuid: string): void {
    const device = this.world.device(peripheralUuid);
    if (!device) {
      setImmediate(() => this.emit('connect', peripheralUuid, new Error(`unknown peripheral ${peripheralUuid}`)));
      return;
    }
    if (this.links.has(device.id)) return;
    // Like an HCI LE Create Connection: it completes on the device's next connectable advertisement.
    this.pendingConnects.add(device.id);
    if (device.advertising) this.onAdvertisement(device);
  }

  cancelConnect(peripheralUuid: string): void {
    this.pendingConnects.delete(peripheralUuid);
  }

  disconnect(peripheralUuid: string): void {
    this.pendingConnects.delete(peripheralUuid);
    const link = this.links.get(peripheralUuid);
    if (link) this.closeLink(link, HCI_LOCAL_HOST_TERMINATED);
  }

  updateRssi(peripheralUuid: string): void {
    const link = this.links.get(peripheralUuid);
    void link?.enqueue(() => this.emit('rssiUpdate', peripheralUuid, link.device.rssi));
  }

  discoverServices(peripheralUuid: string, uuids?: string[]): void {
    const link = this.links.get(peripheralUuid);
    if (!link || this.hangDiscovery.has(peripheralUuid)) return;
    const wanted = (uuids ?? []).map(nobleUuid);
    const found = link.device.services.map((s) => s.uuid).filter((u) => wanted.length === 0 || wanted.includes(u));
    void link.enqueue(() => this.emit('servicesDiscover', peripheralUuid, found));
  }

  discoverIncludedServices(peripheralUuid: string, serviceUuid: string): void {
    const link = this.links.get(peripheralUuid);
    void link?.enqueue(() => this.emit('includedServicesDiscover', peripheralUuid, serviceUuid, []));
  }

  discoverCharacteristics(peripheralUuid: string, serviceUuid: string, characteristicUuids?: string[]): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    if (link.device.radio.takeFault('disconnect-during-discovery')) {
      this.closeLink(link, 0x08);
      return;
    }
    const wanted = (characteristicUuids ?? []).map(nobleUuid);
    const service = link.device.services.find((s) => s.uuid === serviceUuid);
    const chars = (service?.characteristics ?? [])
      .filter((c) => wanted.length === 0 || wanted.includes(c.uuid))
      .map((c) => ({ uuid: c.uuid, properties: [...c.properties] }));
    void link.enqueue(() => this.emit('characteristicsDiscover', peripheralUuid, serviceUuid, chars));
  }

  read(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    void link.enqueue(() => {
      const data = link.device.radio.read(serviceUuid, characteristicUuid);
      this.emit('read', peripheralUuid, serviceUuid, characteristicUuid, Buffer.from(data), false);
    });
  }

  write(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    data: Buffer,
    _withoutResponse?: boolean,
  ): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    const copy = new Uint8Array(data);
    void link.enqueue(() => {
      // The write response goes out first; whatever the device answers follows it on the link.
      this.emit('write', peripheralUuid, serviceUuid, characteristicUuid);
      link.device.radio.write(serviceUuid, characteristicUuid, copy);
    });
  }

  broadcast(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, state: boolean): void {
    const link = this.links.get(peripheralUuid);
    void link?.enqueue(() => this.emit('broadcast', peripheralUuid, serviceUuid, characteristicUuid, state));
  }

  notify(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, enable: boolean): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    void link.enqueue(() => {
      this.emit('notify', peripheralUuid, serviceUuid, characteristicUuid, enable);
      link.device.radio.subscribe(serviceUuid, characteristicUuid, enable);
    });
  }

  discoverDescriptors(peripheralUuid: string, serviceUuid: string, characteristicUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    const c = link.device.services
      .find((s) => s.uuid === serviceUuid)
      ?.characteristics.find((x) => x.uuid === characteristicUuid);
    const cccd = c && (c.properties.includes('notify') || c.properties.includes('indicate')) ? ['2902'] : [];
    void link.enqueue(() => this.emit('descriptorsDiscover', peripheralUuid, serviceUuid, characteristicUuid, cccd));
  }

  readValue(peripheralUuid: string, serviceUuid: string, characteristicUuid: string, descriptorUuid: string): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    void link.enqueue(() => {
      const on = link.device.isSubscribed(characteristicUuid);
      const value = Buffer.from([on ? 1 : 0, 0]);
      this.emit('valueRead', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid, value);
    });
  }

  writeValue(
    peripheralUuid: string,
    serviceUuid: string,
    characteristicUuid: string,
    descriptorUuid: string,
    data: Buffer,
  ): void {
    const link = this.links.get(peripheralUuid);
    if (!link) return;
    void link.enqueue(() => {
      this.emit('valueWrite', peripheralUuid, serviceUuid, characteristicUuid, descriptorUuid);
      if (nobleUuid(descriptorUuid) === '2902') {
        link.device.radio.subscribe(serviceUuid, characteristicUuid, (data[0] ?? 0) !== 0);
      }
    });
  }

  readHandle(peripheralUuid: string, handle: number): void {
    const link = this.links.get(peripheralUuid);
    void link?.enqueue(() => this.emit('handleRead', peripheralUuid, handle, Buffer.alloc(0)));
  }

  writeHandle(peripheralUuid: string, handle: number): void {
    const link = this.links.get(peripheralUuid);
    void link?.enqueue(() => this.emit('handleWrite', peripheralUuid, handle));
  }

  // --- world -> bindings ---------------------------------------------------------------

  onAdvertisement(device: SimPeripheral): void {
    if (this.pendingConnects.has(device.id) && !device.connected) {
      this.pendingConnects.delete(device.id);
      this.openLink(device);
      return;
    }
    if (!this.scanning) return;
    const services = [...device.advertisedServices];
    if (this.scanFilter.length > 0 && !services.some((s) => this.scanFilter.includes(s))) return;
    const advertisement = {
      localName: device.localName,
      txPowerLevel: undefined,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: services,
      solicitationServiceUuids: [],
      serviceSolicitationUuids: [],
    };
    const rssi = device.rssi + this.world.random.int(-3, 3);
    this.emit('discover', device.id, device.address, 'public', true, advertisement, rssi, true);
  }

  /** Ends a link from either side and tells noble after the radio latency. */
  closeLink(link: Link, reason: number): void {
    if (!link.open) return;
    link.open = false;
    this.links.delete(link.device.id);
    this.hangDiscovery.delete(link.device.id);
    link.device.radio.onDisconnect();
    setTimeout(() => this.emit('disconnect', link.device.id, reason), this.world.timing.radioLatencyMs);
  }

  /** Forgets the world (after the test or demo): every link is dropped. */
  close(): void {
    for (const link of [...this.links.values()]) this.closeLink(link, HCI_LOCAL_HOST_TERMINATED);
    this.world.detachScanner(this);
  }

  private openLink(device: SimPeripheral): void {
    const link = new Link(this, device, this.world.timing.radioLatencyMs);
    this.links.set(device.id, link);
    if (device.radio.takeFault('hang-discovery')) this.hangDiscovery.add(device.id);
    device.radio.onConnect(link);
    void link.enqueue(() => this.emit('connect', device.id, null));
  }
}

export function createSimulatedBindings(world: SimWorld, opts?: SimulatedBindingsOptions): SimulatedBindings {
  return new SimulatedBindings(world, opts);
}
