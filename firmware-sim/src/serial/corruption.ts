/**
 * Deterministic line damage for simulated serial devices: drop, insert or flip a byte every
 * N bytes sent, so tests know exactly what the gateway should skip.
 */
export interface CorruptionOptions {
  /** Drop every Nth byte sent. */
  dropEvery?: number;
  /** Insert `insertByte` after every Nth byte sent. */
  insertEvery?: number;
  insertByte?: number;
  /** XOR every Nth byte sent with `flipMask`. */
  flipEvery?: number;
  flipMask?: number;
}

export class ByteCorruptor {
  private count = 0;
  /** Bytes dropped, inserted and flipped so far. */
  readonly damage = { dropped: 0, inserted: 0, flipped: 0 };

  constructor(private readonly o: CorruptionOptions) {}

  apply(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (const b of bytes) {
      this.count += 1;
      const n = this.count;
      if (this.o.dropEvery && n % this.o.dropEvery === 0) {
        this.damage.dropped += 1;
        continue;
      }
      if (this.o.flipEvery && n % this.o.flipEvery === 0) {
        out.push(b ^ (this.o.flipMask ?? 0x01));
        this.damage.flipped += 1;
      } else out.push(b);
      if (this.o.insertEvery && n % this.o.insertEvery === 0) {
        out.push(this.o.insertByte ?? 0x00);
        this.damage.inserted += 1;
      }
    }
    return new Uint8Array(out);
  }
}
