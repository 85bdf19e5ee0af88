/** Reconnect delays: exponential with "equal jitter" (half fixed, half random) so homes never retry in step. */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt number `failures` (1 = after the first failure). `random` is in [0, 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
