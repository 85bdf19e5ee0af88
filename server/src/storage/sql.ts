/**
 * The one database interface every backend implements. SQL lives in repositories;
 * everything else talks to them through this.
 */
import type pg from 'pg';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export type Backend = 'postgres' | 'pglite' | 'timescaledb';

export interface QueryOptions {
  /**
   * PostgreSQL servers: run as a named prepared statement, planned once per connection. For the
   * few queries every request runs (the access check), where planning costs more than running;
   * the text must not vary (no interpolated lists).
   */
  prepare?: boolean;
}

export interface Sql {
  readonly backend: Backend;
  query<T = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<T>>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: runs `f` once the transaction committed, never when it rolled back
   * (events about what it wrote). Outside one: runs `f` now. `f` must not throw.
   */
  afterCommit?(f: () => void): void;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL servers only (PGlite has one connection): a connection outside the pool that its
   * user keeps and ends (the event bus's LISTEN). An `error` listener is attached already.
   */
  dedicatedClient?(applicationName: string): Promise<pg.Client>;
  /** The embedded database only: a gzipped image of its data dir, taken while it runs (backups). */
  dumpImage?(): Promise<Uint8Array>;
  /** PostgreSQL servers only: the connection pool now (metrics). */
  poolStats?(): { total: number; idle: number; waiting: number };
}

/** Runs what waited for a commit (`afterCommit`); one failing never keeps the others from running. */
export function runCommitHooks(hooks: (() => void)[]): void {
  for (const f of hooks.splice(0))
    try {
      f();
    } catch {
      // afterCommit callers must not throw; the transaction has committed either way.
    }
}
