/** Small statistics for benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
