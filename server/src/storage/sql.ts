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

export interface Sql {
  readonly backend: Backend;
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  /**
   * PostgreSQL servers only (PGlite has one connection): a connection outside the pool that its
   * user keeps and ends (the event bus's LISTEN). An `error` listener is attached already.
   */
  dedicatedClient?(applicationName: string): Promise<pg.Client>;
}
