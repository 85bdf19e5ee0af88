/**
 * `pnpm -s bench NAME`: runs one benchmark. Each prints progress and its figures; the last
 * line of the output is one JSON object holding those figures (for machines to read).
 */
import { readdirSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['main.ts', 'stats.ts'].includes(f) && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: pnpm -s bench NAME [options]\navailable: ${available.join(', ')}\n`);
  process.exit(2);
}
const mod = (await import(new URL(`./${name}.ts`, here).href)) as {
  run(args: string[]): Promise<Record<string, unknown>>;
};
const figures = await mod.run(process.argv.slice(3));
process.stdout.write(`${JSON.stringify({ bench: name, ...figures })}\n`);
process.exit(0);
