/**
 * Once per test run, before any test file: the embedded-database seed image (storage/seed.ts),
 * handed to every test server and spawned server process through VITALS_EMBEDDED_SEED.
 */
import { ensureEmbeddedSeed } from '../src/storage/seed.ts';

export async function setup(): Promise<void> {
  process.env.VITALS_EMBEDDED_SEED ??= await ensureEmbeddedSeed();
}
