/**
 * The durable outbox: every decoded reading is written here before anything else
 * happens to it, and deleted only after the server's end-to-end `ack` for the batch
 * that carried it. A small explicit state machine over SQLite (better-sqlite3):
 *
 *   held (gateway clock unsynchronised) --restamp/release--> queued
 *   queued (batch_id NULL) --takeBatch--> in_batch (batch_id set) --ack--> deleted
 *                                              |--resend (same batchId, same ids)
 *
 * Durability policy: WAL with synchronous=FULL, so every append() is one transaction
 * whose commit is fsynced (WAL file) before append() returns; a reading that append()
 * reported as added survives kill -9 and power loss. Checkpoints copy the WAL into the
 * database file later (SQLite fsyncs both around a checkpoint).
 *
 * Batches stay assigned across restarts, so a batch re-sent after a crash carries the
 * same batchId and reading ids, and the server stores each id once.
 *
 * Bounded: at most `maxReadings` readings and (optionally) `maxBytes` of database file
 * (SQLite's max_page_count). Near the bound the oldest queued readings are dropped so the
 * newest are kept; a full disk (SQLITE_FULL) drops the oldest and retries; if even that fails
 * the append reports the failure and never throws.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Reading } from '@vitals/contract';
import Database from 'better-sqlite3';

export interface OutboxBatch {
  batchId: string;
  readings: Reading[];
}

export interface OutboxOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  gatewayId: string;
  /** Most readings kept; beyond it the oldest unsent are dropped (newest data wins). */
  maxReadings?: number;
  /** Largest database file in bytes (rounded down to whole pages); unset = only maxReadings bounds it. */
  maxBytes?: number;
  /** Readings were dropped to make room outside append() (e.g. a full disk while forming a batch). */
  onDropped?(n: number, why: string): void;
}

/** Where a reading stamped with an unsynchronised gateway clock was taken, to re-stamp it later. */
export interface ClockHold {
  bootId: string;
  /** Monotonic ms (since boot) at which the reading arrived. */
  monoMs: number;
}

export interface AppendResult {
  added: number;
  /** Oldest queued readings dropped to make room (bound reached or disk full). */
  dropped: number;
  /** Set when the readings could not be stored at all (e.g. the disk is full and nothing could be freed). */
  failed?: string;
}

export const OUTBOX_DEFAULT_MAX_READINGS = 2_000_000;
/** Flag of a reading whose gateway time was re-stamped once the clock synchronised. */
export const FLAG_GATEWAY_TIME_CORRECTED = 'gateway_time_corrected';
export const FLAG_GATEWAY_CLOCK_UNSYNCHRONISED = 'gateway_clock_unsynchronised';

const isFull = (e: unknown) => (e as { code?: string })?.code === 'SQLITE_FULL';

export class Outbox {
  private readonly db: Database.Database;
  private readonly instanceId: string;
  private readonly stmts;
  private closed = false;
  private count: number;
  private heldCount: number;
  readonly maxReadings: number;
  /** Readings dropped since this outbox was opened (bound or full disk). */
  droppedTotal = 0;

  constructor(private readonly o: OutboxOptions) {
    this.maxReadings = o.maxReadings ?? OUTBOX_DEFAULT_MAX_READINGS;
    if (o.path !== ':memory:') mkdirSync(dirname(o.path), { recursive: true });
    const fresh = o.path === ':memory:' || !existsSync(o.path);
    this.db = new Database(o.path);
    // Only the gateway user may read what devices measured.
    if (fresh && o.path !== ':memory:') chmodSync(o.path, 0o600);
    // WAL: appends do not block the publisher reading batches, and a crash never corrupts.
    this.db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced before append() returns, so a reading survives power loss.
    this.db.pragma('synchronous = FULL');
    // Wait rather than fail if a checkpoint holds the lock briefly.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS readings (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        id         TEXT NOT NULL UNIQUE,
        device_id  TEXT NOT NULL,
        body       TEXT NOT NULL,
        batch_id   TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS batches (
        batch_id   TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    // Schema 2 (clock holds); outboxes written by older gateways are upgraded in place.
    const cols = new Set((this.db.pragma('table_info(readings)') as { name: string }[]).map((c) => c.name));
    if (!cols.has('held')) this.db.exec('ALTER TABLE readings ADD COLUMN held INTEGER NOT NULL DEFAULT 0');
    if (!cols.has('boot_id')) this.db.exec('ALTER TABLE readings ADD COLUMN boot_id TEXT');
    if (!cols.has('mono_ms')) this.db.exec('ALTER TABLE readings ADD COLUMN mono_ms INTEGER');
    this.db.exec(`
      DROP INDEX IF EXISTS readings_batch;
      CREATE INDEX IF NOT EXISTS readings_queue ON readings (batch_id, held);
      CREATE INDEX IF NOT EXISTS readings_held ON readings (held) WHERE held = 1;
    `);
    if (o.maxBytes !== undefined) this.setMaxBytes(o.maxBytes);
    this.stmts = {
      insert: this.db.prepare(
        'INSERT OR IGNORE INTO readings (id, device_id, body, created_at, held, boot_id, mono_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      queued: this.db.prepare(
        'SELECT seq, body FROM readings WHERE batch_id IS NULL AND held = 0 ORDER BY seq LIMIT ?',
      ),
      // Per-device order: a reading waits while an older reading of its device is held.
      queuedBehindHeld: this.db.prepare(
        `SELECT seq, body FROM readings r WHERE batch_id IS NULL AND held = 0
           AND NOT EXISTS (SELECT 1 FROM readings h WHERE h.held = 1 AND h.device_id = r.device_id AND h.seq < r.seq)
         ORDER BY seq LIMIT ?`,
      ),
      assign: this.db.prepare('UPDATE readings SET batch_id = ? WHERE seq = ?'),
      newBatch: this.db.prepare('INSERT INTO batches (batch_id, created_at) VALUES (?, ?)'),
      openBatches: this.db.prepare('SELECT batch_id FROM batches ORDER BY created_at, rowid'),
      batchReadings: this.db.prepare('SELECT body FROM readings WHERE batch_id = ? ORDER BY seq'),
      deleteBatchReadings: this.db.prepare('DELETE FROM readings WHERE batch_id = ?'),
      deleteBatch: this.db.prepare('DELETE FROM batches WHERE batch_id = ?'),
      count: this.db.prepare('SELECT count(*) AS n FROM readings'),
      countHeld: this.db.prepare('SELECT count(*) AS n FROM readings WHERE held = 1'),
      countQueued: this.db.prepare('SELECT count(*) AS n FROM readings WHERE batch_id IS NULL'),
      oldestQueued: this.db.prepare('SELECT min(created_at) AS t FROM readings'),
      dropOldest: this.db.prepare(
        'DELETE FROM readings WHERE seq IN (SELECT seq FROM readings WHERE batch_id IS NULL ORDER BY seq LIMIT ?)',
      ),
      heldOfBoot: this.db.prepare('SELECT seq, body, mono_ms FROM readings WHERE held = 1 AND boot_id = ?'),
      setBody: this.db.prepare('UPDATE readings SET body = ?, held = 0 WHERE seq = ?'),
      releaseOtherBoots: this.db.prepare(
        'UPDATE readings SET held = 0 WHERE held = 1 AND (boot_id IS NOT ? OR created_at < ?)',
      ),
      getState: this.db.prepare('SELECT value FROM state WHERE key = ?'),
      setState: this.db.prepare(
        'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
    this.count = (this.stmts.count.get() as { n: number }).n;
    this.heldCount = (this.stmts.countHeld.get() as { n: number }).n;
    this.instanceId = this.getState('instance') ?? this.initInstance();
  }

  /** Caps the database file (SQLite then answers SQLITE_FULL, handled like a full disk). */
  setMaxBytes(bytes: number): void {
    const page = this.db.pragma('page_size', { simple: true }) as number;
    this.db.pragma(`max_page_count = ${Math.max(8, Math.floor(bytes / page))}`);
  }

  private initInstance(): string {
    const id = randomBytes(3).toString('hex');
    this.setState('instance', id);
    return id;
  }

  /** The short id of this outbox's lifetime, part of every counter-based id it makes. */
  get instance(): string {
    return this.instanceId;
  }

  /** Allocates `n` consecutive values of a persistent counter (reading ids, batch ids). */
  private nextCounter(name: string, n = 1): number {
    const cur = Number(this.getState(`counter:${name}`) ?? '0');
    // Not setState(): a failed counter write must fail the whole transaction, never reuse ids.
    this.stmts.setState.run(`counter:${name}`, String(cur + n));
    return cur + 1;
  }

  /** Runs a write; on SQLITE_FULL drops the oldest queued readings and tries again. */
  private withSpace<T>(write: () => T, room: number): { value?: T; dropped: number; failed?: string } {
    let dropped = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return { value: write(), dropped };
      } catch (e) {
        if (!isFull(e) || attempt >= 4) return { dropped, failed: (e as Error).message };
        // Free a little more than needed, doubling while it is not enough: few rounds, little loss.
        const want = Math.max(1, room) * 2 ** attempt;
        try {
          const n = this.stmts.dropOldest.run(want).changes;
          this.count -= n;
          dropped += n;
          this.droppedTotal += n;
          this.heldCount = (this.stmts.countHeld.get() as { n: number }).n;
          if (n === 0) return { dropped, failed: `${(e as Error).message}; nothing left to drop` };
        } catch (e2) {
          return {
            dropped,
            failed: `${(e as Error).message}; dropping old readings failed too: ${(e2 as Error).message}`,
          };
        }
      }
    }
  }

  /** Unique, never-reused reading ids for readings without a content-derived id. */
  newReadingIds(n: number): string[] {
    if (n === 0) return [];
    let first: number;
    try {
      first = this.db.transaction(() => this.nextCounter('reading', n))();
    } catch (e) {
      if (!isFull(e)) throw e;
      // Full disk: ids must still be unique and never reused, so random ones; append() then makes room.
      return Array.from(
        { length: n },
        () => `${this.o.gatewayId}:${this.instanceId}:x${randomBytes(8).toString('hex')}`,
      );
    }
    return Array.from(
      { length: n },
      (_, i) => `${this.o.gatewayId}:${this.instanceId}:${String(first + i).padStart(12, '0')}`,
    );
  }

  /**
   * Stores readings durably (fsynced) and returns how many were new: an id already in
   * the outbox is ignored, so a record downloaded twice is kept once. Readings flagged
   * `gateway_clock_unsynchronised` are held (not sent) when `hold` is given, until
   * restamp() or release(). Never throws.
   */
  append(readings: Reading[], hold?: ClockHold): AppendResult {
    let dropped = 0;
    const now = Date.now();
    const r = this.withSpace(
      () =>
        this.db.transaction(() => {
          let added = 0;
          let held = 0;
          for (const x of readings) {
            const h = hold && x.flags?.includes(FLAG_GATEWAY_CLOCK_UNSYNCHRONISED) ? hold : undefined;
            const c = this.stmts.insert.run(
              x.id,
              x.device.id,
              JSON.stringify(x),
              now,
              h ? 1 : 0,
              h?.bootId ?? null,
              h?.monoMs ?? null,
            ).changes;
            added += c;
            if (h) held += c;
          }
          const over = this.count + added - this.maxReadings;
          const d = over > 0 ? this.stmts.dropOldest.run(over).changes : 0;
          return { added, held, d };
        })(),
      Math.max(readings.length, 16),
    );
    dropped += r.dropped;
    if (!r.value) return { added: 0, dropped, failed: r.failed ?? 'unknown failure' };
    this.count += r.value.added - r.value.d;
    this.heldCount += r.value.held;
    if (r.value.d) {
      dropped += r.value.d;
      this.droppedTotal += r.value.d;
      this.heldCount = (this.stmts.countHeld.get() as { n: number }).n;
    }
    return { added: r.value.added, dropped };
  }

  /**
   * The gateway clock synchronised: readings held during `bootId` get `wall = mono + offsetMs`,
   * lose `gateway_clock_unsynchronised`, gain `gateway_time_corrected` and a note, and are queued.
   */
  restamp(bootId: string, offsetMs: number): Reading[] {
    const out: Reading[] = [];
    this.db.transaction(() => {
      for (const row of this.stmts.heldOfBoot.all(bootId) as { seq: number; body: string; mono_ms: number }[]) {
        const r = JSON.parse(row.body) as Reading;
        const time = new Date(row.mono_ms + offsetMs).toISOString();
        const flags = (r.flags ?? []).filter((f) => f !== FLAG_GATEWAY_CLOCK_UNSYNCHRONISED);
        flags.push(FLAG_GATEWAY_TIME_CORRECTED);
        const fixed: Reading = {
          ...r,
          time,
          flags,
          notes: [...(r.notes ?? []), `gateway time ${r.time} re-stamped to ${time} after the clock synchronised`],
        };
        this.stmts.setBody.run(JSON.stringify(fixed), row.seq);
        out.push(fixed);
      }
    })();
    this.heldCount = (this.stmts.countHeld.get() as { n: number }).n;
    return out;
  }

  /**
   * Sends held readings as they are (still flagged unsynchronised): those of other boots
   * (their monotonic times mean nothing now) and those held since before `heldBefore`.
   */
  release(currentBootId: string, heldBefore = 0): number {
    if (this.heldCount === 0) return 0;
    const n = this.stmts.releaseOtherBoots.run(currentBootId, heldBefore).changes;
    this.heldCount = (this.stmts.countHeld.get() as { n: number }).n;
    return n;
  }

  /** Batches assigned earlier and not yet acknowledged, oldest first (re-send these first). */
  openBatches(): OutboxBatch[] {
    const ids = (this.stmts.openBatches.all() as { batch_id: string }[]).map((r) => r.batch_id);
    return ids
      .map((batchId) => ({ batchId, readings: this.batchReadings(batchId) }))
      .filter((b) => b.readings.length > 0);
  }

  private batchReadings(batchId: string): Reading[] {
    return (this.stmts.batchReadings.all(batchId) as { body: string }[]).map((r) => JSON.parse(r.body) as Reading);
  }

  /**
   * Assigns the oldest queued readings to a new batch (kept in arrival order, so each
   * device's order holds) and returns it, or null when nothing is queued.
   */
  takeBatch(maxReadings: number, maxBytes = 200 * 1024): OutboxBatch | null {
    const r = this.withSpace(
      () =>
        this.db.transaction(() => {
          const q = this.heldCount > 0 ? this.stmts.queuedBehindHeld : this.stmts.queued;
          const rows = q.all(maxReadings) as { seq: number; body: string }[];
          if (rows.length === 0) return null;
          let bytes = 0;
          let n = 0;
          for (const row of rows) {
            if (n > 0 && bytes + Buffer.byteLength(row.body) + 1 > maxBytes) break;
            bytes += Buffer.byteLength(row.body) + 1;
            n++;
          }
          const taken = rows.slice(0, n);
          const batchId = `${this.o.gatewayId}:${this.instanceId}:b:${String(this.nextCounter('batch')).padStart(6, '0')}`;
          this.stmts.newBatch.run(batchId, Date.now());
          for (const row of taken) this.stmts.assign.run(batchId, row.seq);
          return { batchId, readings: taken.map((row) => JSON.parse(row.body) as Reading) };
        })(),
      8,
    );
    if (r.dropped) this.o.onDropped?.(r.dropped, 'disk full while forming a batch');
    return r.value ?? null;
  }

  /** The server committed the batch: its readings leave the outbox. */
  ack(batchId: string): number {
    const n = this.db.transaction(() => {
      const n = this.stmts.deleteBatchReadings.run(batchId).changes;
      this.stmts.deleteBatch.run(batchId);
      return n;
    })();
    this.count -= n;
    return n;
  }

  /** Readings held (queued, held for the clock, and in batches awaiting their ack). */
  size(): number {
    return this.count;
  }

  queued(): number {
    return (this.stmts.countQueued.get() as { n: number }).n;
  }

  /** Readings waiting for the gateway clock to synchronise. */
  held(): number {
    return this.heldCount;
  }

  /** When the oldest reading still in the outbox was stored (ms), or undefined when empty. */
  oldestStoredAt(): number | undefined {
    return (this.stmts.oldestQueued.get() as { t: number | null }).t ?? undefined;
  }

  getState(key: string): string | undefined {
    return (this.stmts.getState.get(key) as { value: string } | undefined)?.value;
  }

  /** Stores a small value (device cursors); false when the disk is full. */
  setState(key: string, value: string): boolean {
    try {
      this.stmts.setState.run(key, value);
      return true;
    } catch (e) {
      if (isFull(e)) return false;
      throw e;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
