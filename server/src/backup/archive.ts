/**
 * The backup file: a plaintext header (what is inside, when it was made) authenticated with the
 * content, then the content encrypted with AES-256-GCM under a 32-byte key from a key file.
 *
 *   "VITALSBK" 0x01 | header length (uint32 BE) | header JSON | nonce (12) | ciphertext | tag (16)
 *
 * Decryption writes to a temporary file and only hands it over once the tag has been verified, so
 * a damaged file or a wrong key never reaches a restore half-applied.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MAGIC = Buffer.from('VITALSBK\x01', 'latin1');
const NONCE = 12;
const TAG = 16;

export interface BackupHeader {
  /** `pg_dump-custom` (PostgreSQL/TimescaleDB) or `pglite-datadir` (the embedded database). */
  format: 'pg_dump-custom' | 'pglite-datadir';
  createdAt: string;
  /** PostgreSQL schema the dump holds, when the server used one. */
  schema?: string;
  /** Migrations applied in the database when it was saved. */
  migration?: number;
}

export class BackupError extends Error {}

/** Writes a new random key to `path` (readable by its owner only). */
export function writeKeyFile(path: string): void {
  writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

export function readKeyFile(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new BackupError(`cannot read the backup key file ${path}: ${(e as Error).message}`);
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32)
    throw new BackupError(
      `${path} is not a backup key (32 bytes in base64); make one with \`pnpm -s run server backup-key --out FILE\``,
    );
  return key;
}

/** Encrypts `content` into `path` with `header` in front. */
export async function writeEncrypted(
  path: string,
  header: BackupHeader,
  key: Buffer,
  content: Readable,
): Promise<void> {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(headerBytes.length);
  const prefix = Buffer.concat([MAGIC, len, headerBytes]);
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(prefix);
  const out = createWriteStream(path, { mode: 0o600 });
  out.write(prefix);
  out.write(nonce);
  const trailer = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, cipher.update(chunk));
    },
    flush(done) {
      this.push(cipher.final());
      this.push(cipher.getAuthTag());
      done();
    },
  });
  await pipeline(content, trailer, out);
}

/** The header of a backup file, read without the key. */
export function readHeader(path: string): { header: BackupHeader; prefixLength: number; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Buffer.alloc(MAGIC.length + 4);
    if (size < start.length + NONCE + TAG || readSync(fd, start, 0, start.length, 0) !== start.length)
      throw new BackupError(`${path} is too short to be a vitals backup`);
    if (!start.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError(`${path} is not a vitals backup`);
    const n = start.readUInt32BE(MAGIC.length);
    if (n > 65_536 || start.length + n + NONCE + TAG > size) throw new BackupError(`${path} has a damaged header`);
    const h = Buffer.alloc(n);
    readSync(fd, h, 0, n, start.length);
    let header: BackupHeader;
    try {
      header = JSON.parse(h.toString('utf8')) as BackupHeader;
    } catch {
      throw new BackupError(`${path} has a damaged header`);
    }
    return { header, prefixLength: start.length + n, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Decrypts a backup into `outPath` and verifies it; on a wrong key or any damaged byte the output
 * is removed and a BackupError says so.
 */
export async function decryptTo(path: string, key: Buffer, outPath: string): Promise<BackupHeader> {
  const { header, prefixLength, size } = readHeader(path);
  const fd = openSync(path, 'r');
  const prefix = Buffer.alloc(prefixLength);
  const nonce = Buffer.alloc(NONCE);
  const tag = Buffer.alloc(TAG);
  try {
    readSync(fd, prefix, 0, prefixLength, 0);
    readSync(fd, nonce, 0, NONCE, prefixLength);
    readSync(fd, tag, 0, TAG, size - TAG);
  } finally {
    closeSync(fd);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(prefix);
  decipher.setAuthTag(tag);
  const end = size - TAG - 1;
  const body =
    end >= prefixLength + NONCE ? createReadStream(path, { start: prefixLength + NONCE, end }) : Readable.from([]);
  try {
    await pipeline(body, decipher, createWriteStream(outPath, { mode: 0o600 }));
  } catch {
    rmSync(outPath, { force: true });
    throw new BackupError(
      `${path} cannot be decrypted: the key is not the one it was made with, or the file is damaged`,
    );
  }
  return header;
}
