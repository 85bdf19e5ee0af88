/**
 * A pseudo-terminal pair made by socat: the gateway opens `path` (a real tty, with the real
 * serialport library); the simulator writes and reads the other end through socat's stdio.
 * Closing it is a cable pulled out: the gateway's next read fails and its port closes.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';

const SOCAT = process.env.VITALS_SOCAT ?? '/usr/bin/socat';

export class PtyLink extends EventEmitter<{ data: [Uint8Array]; close: [] }> {
  private closed = false;

  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    /** The tty the gateway opens, e.g. /dev/pts/3. */
    readonly path: string,
  ) {
    super();
    proc.stdout.on('data', (d: Buffer) => this.emit('data', new Uint8Array(d)));
    proc.stdin.on('error', () => {});
    proc.on('exit', () => {
      this.closed = true;
      this.emit('close');
    });
  }

  /** Starts socat and resolves once the pty exists and data flows. */
  static open(timeoutMs = 5000): Promise<PtyLink> {
    return new Promise((resolve, reject) => {
      const proc = spawn(SOCAT, ['-d', '-d', 'pty,raw,echo=0', 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      let path: string | undefined;
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`socat did not start a pty within ${timeoutMs} ms: ${stderr.trim()}`));
      }, timeoutMs);
      proc.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`could not run ${SOCAT} (install socat or set VITALS_SOCAT): ${e.message}`));
      });
      const onStderr = (d: Buffer) => {
        stderr += d.toString();
        path ??= /PTY is (\S+)/.exec(stderr)?.[1];
        if (path && stderr.includes('starting data transfer loop')) {
          clearTimeout(timer);
          proc.stderr.off('data', onStderr);
          proc.stderr.resume();
          resolve(new PtyLink(proc, path));
        }
      };
      proc.stderr.on('data', onStderr);
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  write(bytes: Uint8Array): void {
    if (!this.closed) this.proc.stdin.write(bytes);
  }

  /** Ends socat (its pty disappears); resolves when it has exited. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGTERM');
    });
  }
}
