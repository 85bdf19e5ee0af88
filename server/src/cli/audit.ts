/**
 * `pnpm -s run server audit verify`: walks the audit log's hash chain in the configured database
 * (the same settings as `start`) and says whether it is intact. Exit code 0 when it is, 1 with
 * the first row that breaks it, 2 when the database cannot be opened.
 */
import { loadConfig } from '../config.ts';
import { openDatabase } from '../storage/open.ts';
import { verifyAuditChain } from '../storage/repos/audit.ts';

export const AUDIT_USAGE = `usage: pnpm -s run server audit verify

Walks the audit log's hash chain (docs/security.md, "Audit log") in the database the server's
settings name (VITALS_DATABASE_URL, VITALS_DATABASE_SCHEMA or VITALS_DATA_DIR) and reports the
first row that was changed, removed or put out of order. Exit code 0: intact; 1: broken.
With the embedded database, stop the server first (one process opens it at a time).
`;

export async function auditCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  if (argv[0] !== 'verify') {
    (argv[0] && argv[0] !== '--help' ? err : out)(AUDIT_USAGE);
    return argv[0] && argv[0] !== '--help' ? 2 : 0;
  }
  const c = loadConfig(env);
  let sql: Awaited<ReturnType<typeof openDatabase>>;
  try {
    sql = await openDatabase({
      ...(c.databaseUrl ? { url: c.databaseUrl } : {}),
      ...(c.databaseSchema ? { schema: c.databaseSchema } : {}),
      dataDir: c.dataDir,
      embeddedTimescaledb: c.embeddedTimescaledb,
    });
  } catch (e) {
    err(`cannot open the database: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  try {
    const started = performance.now();
    const v = await verifyAuditChain(sql);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (v.ok) {
      out(`audit log intact: ${v.rows} rows checked in ${seconds} s; last row ${v.lastSeq}, hash ${v.lastHash}\n`);
      return 0;
    }
    const b = v.broken;
    err(
      `audit log BROKEN at row id ${b.id} (chain position ${b.seq}, written ${b.at.toISOString()}): ${v.reason}. ${v.rows} rows before it are intact.\n`,
    );
    return 1;
  } finally {
    await sql.close();
  }
}
