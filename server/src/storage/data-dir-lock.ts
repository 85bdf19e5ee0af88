/**
 * One process per embedded database: PGlite has no lock of its own, and two processes writing
 * one data dir corrupt it. The server (and a backup or restore of the data dir) holds
 * `<dataDir>/server.pid`; a file left by a process that no longer runs is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirInUseError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir for this process; returns the release function. */
export function lockDataDir(dataDir: string, purpose: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'server.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
        throw new DataDirInUseError(
          `the data dir ${dataDir} is in use by process ${holder} (a running server?); stop it before the ${purpose}, or use another VITALS_DATA_DIR`,
        );
      rmSync(file, { force: true }); // left by a process that has ended (or by this one)
    }
  }
  throw new DataDirInUseError(`cannot take ${file}`);
}
