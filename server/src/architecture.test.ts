/**
 * The server's structure, checked on its source (issue 12): no import cycle between the folders
 * of server/src (a top-level file counts as a folder of its own), and no SQL outside storage/.
 * Type-only and dynamic imports count: a cycle through types still makes one module of two.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/** Production modules: every .ts under src/ but tests. Paths relative to src/, with '/'. */
function productionFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return productionFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The unit a cycle is counted between: the first folder under src/, or the file itself at the top. */
export const unitOf = (file: string) => file.split('/')[0]!;

/** Edges between units, each with one import that makes it (for the failure message). */
export function unitGraph(sources: Map<string, string>): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const [file, text] of sources) {
    const from = unitOf(file);
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const target = relative(SRC, resolve(SRC, dirname(file), imp.fileName))
        .split('\\')
        .join('/');
      if (target.startsWith('..')) continue; // test-support or another package: not a server folder
      const to = unitOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${file} imports ${imp.fileName}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle's units (strongly connected components of more than one unit), sorted. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  // Tarjan's algorithm: small graph, recursion is fine.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** Lines of production code outside storage/ that send SQL. */
export function sqlOutsideStorage(sources: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of sources) {
    if (file.startsWith('storage/')) continue;
    text.split('\n').forEach((line, i) => {
      if (/\.query\s*[<(]/.test(line) || /\b(sql|tx|db)\.exec\s*\(/.test(line))
        found.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

const sources = new Map(productionFiles().map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));

describe('server structure', () => {
  it('has no import cycle between the folders of server/src', () => {
    const graph = unitGraph(sources);
    const found = cycles(graph).map((units) =>
      units
        .flatMap((u) => units.filter((w) => graph.get(u)?.has(w)).map((w) => `  ${u} -> ${w}: ${graph.get(u)!.get(w)}`))
        .join('\n'),
    );
    expect(found, 'import cycles between folders (decide the direction, move the shared part down)').toEqual([]);
  });

  it('sends SQL only from storage/', () => {
    const found = sqlOutsideStorage(sources);
    expect(found, 'SQL outside server/src/storage: move it into a repository there').toEqual([]);
  });

  it('finds a cycle and SQL where there are some (the checks themselves)', () => {
    const made = new Map([
      ['alerts/lifecycle.ts', "import { startPaging } from '../notify/escalation.ts';"],
      ['notify/outbox.ts', "import type { AlertRow } from '../alerts/lifecycle.ts';\nawait ctx.sql.query('SELECT 1');"],
      ['storage/repos/x.ts', "await sql.query<{ n: number }>('SELECT 1');"],
      ['config.ts', "const m = /x/.exec(s); import './notify/settings.ts';"],
      ['cli/reset.ts', "await db.exec('DROP SCHEMA x');"],
    ]);
    expect(cycles(unitGraph(made))).toEqual([['alerts', 'notify']]);
    expect(sqlOutsideStorage(made)).toEqual([
      "notify/outbox.ts:2: await ctx.sql.query('SELECT 1');",
      "cli/reset.ts:1: await db.exec('DROP SCHEMA x');",
    ]);
  });
});
