/** Transaction-scoped advisory locks: work that several instances starting at once must do once. */
import type { Sql } from './sql.ts';

/** Serialises creating the first administrator (held until the transaction ends). */
export async function lockFirstAdminCreation(tx: Sql): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7406118)');
}
