/**
 * Devices that keep measurements until a central subscribes and then indicate them all, oldest
 * first, deleting each record once its indication is confirmed (A&D UA-651BLE, UC-352BLE,
 * UT-201BLE and most home spot-check devices work this way).
 */
import { HCI_CONNECTION_TIMEOUT, SimPeripheral } from '../peripheral.ts';

export abstract class StoreAndForwardPeripheral extends SimPeripheral {
  protected abstract readonly measurementService: string;
  protected abstract readonly measurementCharacteristic: string;
  /** Device hangs up this long after the last stored record went out; null keeps the link. */
  protected abstract readonly hangUpAfterTransferMs: number | null;
  private readonly pending: Uint8Array[] = [];
  private transferring = false;
  private deliveredThisLink = 0;

  /** Records not yet confirmed by a central. */
  get storedRecords(): number {
    return this.pending.length;
  }

  /** Stores an encoded measurement and announces it (advertising window or a live indication). */
  protected store(bytes: Uint8Array): void {
    this.pending.push(bytes);
    if (this.connected) void this.transfer();
    else this.announceMeasurement();
  }

  protected override onDisconnected(): void {
    // Done and let go: a monitor that hangs up after its transfer also sleeps when the central hangs up first.
    if (this.deliveredThisLink > 0 && this.pending.length === 0 && this.hangUpAfterTransferMs !== null) {
      this.stopAdvertising();
    }
    this.deliveredThisLink = 0;
  }

  protected override onSubscribed(characteristicUuid: string): void {
    if (characteristicUuid === this.measurementCharacteristic) void this.transfer();
  }

  private async transfer(): Promise<void> {
    if (this.transferring || !this.isSubscribed(this.measurementCharacteristic)) return;
    this.transferring = true;
    let sent = 0;
    try {
      while (this.pending.length > 0 && this.connected && this.isSubscribed(this.measurementCharacteristic)) {
        const delivered = await this.send(this.measurementService, this.measurementCharacteristic, this.pending[0]!);
        if (!delivered) return;
        sent++;
        const fault = this.radio.takeFault('disconnect-mid-transfer');
        if (fault && sent < fault.afterRecords) this.injectFault(fault);
        if (fault && sent >= fault.afterRecords) {
          // The link drops before the confirmation: the record stays stored and is sent again.
          this.disconnectNow(HCI_CONNECTION_TIMEOUT);
          return;
        }
        this.pending.shift();
        this.deliveredThisLink++;
      }
      if (this.pending.length === 0 && this.connected && this.hangUpAfterTransferMs !== null) {
        this.hangUpAfter(this.hangUpAfterTransferMs);
      }
    } finally {
      this.transferring = false;
    }
  }
}
