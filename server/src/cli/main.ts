/** `pnpm -s run server start`: runs the server with settings from the environment. */
import { parseArgs } from 'node:util';
import { BackupError, writeKeyFile } from '../backup/archive.ts';
import { backupGeneration, backupTo, type DatabaseLocation, restoreFrom } from '../backup/backup.ts';
import { ConfigError, loadConfig, SETTINGS } from '../config.ts';
import { createLogger } from '../log.ts';
import { StartupError, startServer } from '../server.ts';
import { DataDirInUseError } from '../storage/data-dir-lock.ts';
import { AUDIT_USAGE, auditCommand } from './audit.ts';

const USAGE = `usage: pnpm -s run server start
       pnpm -s run server audit verify
       pnpm -s run server backup-key --out KEYFILE
       pnpm -s run server backup --key KEYFILE (--out FILE | --dir DIR [--keep N])
       pnpm -s run server restore --key KEYFILE --from FILE

backup saves the configured database (VITALS_DATABASE_URL, or the embedded one in VITALS_DATA_DIR,
which must not be in use) encrypted with the key file; --dir keeps N generations (default 7,
at least 3). restore loads a backup into an empty database or data dir. See docs/backups.md.

Settings (environment):
${SETTINGS.map((s) => `  ${s.env.padEnd(26)} ${s.description}${s.default ? ` (default ${s.default})` : ''}`).join('\n')}
`;

const BACKUP_COMMANDS = new Set(['backup-key', 'backup', 'restore']);

async function backupCommand(cmd: string, args: string[]): Promise<number> {
  const { values: o } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'string', default: '7' },
      key: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (cmd === 'backup-key') {
    if (!o.out) throw new BackupError('backup-key needs --out KEYFILE');
    writeKeyFile(o.out);
    process.stdout.write(`wrote a new backup key to ${o.out}; keep a copy apart from the backups\n`);
    return 0;
  }
  if (!o.key) throw new BackupError(`${cmd} needs --key KEYFILE`);
  const c = loadConfig();
  const loc: DatabaseLocation = {
    dataDir: c.dataDir,
    ...(c.databaseUrl ? { databaseUrl: c.databaseUrl } : {}),
    ...(c.databaseSchema ? { databaseSchema: c.databaseSchema } : {}),
  };
  if (cmd === 'restore') {
    if (!o.from) throw new BackupError('restore needs --from FILE');
    const h = await restoreFrom(loc, o.from, o.key);
    process.stdout.write(`restored the backup of ${h.createdAt} (migration ${h.migration ?? '?'})\n`);
    return 0;
  }
  if (o.dir) {
    const { file, removed } = await backupGeneration(loc, o.dir, o.key, Number(o.keep));
    process.stdout.write(`wrote ${file}${removed.length ? `; removed ${removed.join(', ')}` : ''}\n`);
    return 0;
  }
  if (!o.out) throw new BackupError('backup needs --out FILE or --dir DIR');
  await backupTo(loc, o.out, o.key);
  process.stdout.write(`wrote ${o.out}\n`);
  return 0;
}

async function main(argv: string[]) {
  const cmd = argv[0];
  if (cmd === 'audit') {
    try {
      process.exit(
        await auditCommand(
          argv.slice(1),
          process.env,
          (s) => process.stdout.write(s),
          (s) => process.stderr.write(s),
        ),
      );
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`${e.message}\n\n${AUDIT_USAGE}`);
        process.exit(2);
      }
      throw e;
    }
  }
  if (cmd && BACKUP_COMMANDS.has(cmd)) {
    try {
      process.exit(await backupCommand(cmd, argv.slice(1)));
    } catch (e) {
      if (
        e instanceof BackupError ||
        e instanceof DataDirInUseError ||
        e instanceof ConfigError ||
        e instanceof TypeError
      ) {
        process.stderr.write(`vitals ${cmd}: ${(e as Error).message}\n`);
        process.exit(e instanceof TypeError ? 2 : 1);
      }
      throw e;
    }
  }
  if (cmd === 'start' && argv.slice(1).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (cmd !== 'start') {
    process.stderr.write(cmd && cmd !== '--help' ? `unknown command ${cmd}\n\n${USAGE}` : USAGE);
    process.exit(cmd && cmd !== '--help' ? 2 : 0);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  try {
    const server = await startServer(config, { log });
    // Automated callers read the ports from this line; say it even when the log is quieter than info.
    if (!['info', 'debug', 'trace'].includes(config.logLevel))
      process.stdout.write(
        `listening http=${server.httpPort} mqtt=${server.mqttPort}${server.mqttsPort ? ` mqtts=${server.mqttsPort}` : ''}${server.mqttWsPort ? ` mqtt-ws=${server.mqttWsPort}` : ''}\n`,
      );
    let closing = false;
    const shutdown = (signal: string) => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      server.close().then(() => process.exit(0));
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (e) {
    if (e instanceof StartupError) {
      log.fatal(e.message);
      process.stderr.write(`vitals server cannot start: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

await main(process.argv.slice(2));
