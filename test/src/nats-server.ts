/**
 * A NATS server of the test's own (issue 18: "NATS MQTT"), with JetStream (NATS keeps MQTT
 * sessions, QoS 1 messages and retained messages in it) and MQTT on a free loopback port, in a
 * temporary store directory. The machine's own NATS (4222) is never touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = process.env.VITALS_TEST_NATS_SERVER ?? '/usr/sbin/nats-server';

export interface NatsMqtt {
  /** mqtt://127.0.0.1:port */
  mqttUrl: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startNatsMqtt(): Promise<NatsMqtt> {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(
    conf,
    [
      'listen: 127.0.0.1:-1', // the NATS protocol on a random port: only MQTT is used here
      'server_name: vitals-test',
      `jetstream { store_dir: "${join(dir, 'js')}" }`,
      `mqtt { listen: 127.0.0.1:${port} }`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NATS_SERVER, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.once('exit', () => child.kill('SIGKILL'));
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start; output:\n${out}`)), 15_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code}; output:\n${out}`));
    });
  });
  await ready;
  return {
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
