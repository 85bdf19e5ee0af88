/**
 * The serial transport through real pseudo-terminals (socat) and the real serialport library,
 * with simulated devices from firmware-sim.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cms50dDevice, MeterDevice, SerialByIdDirectory } from '@vitals/firmware-sim/serial/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { SERIAL_PROTOCOLS } from '../../decoders/serial/index.ts';
import type { DeviceEvent, SerialChunk } from '../frame.ts';
import { type SerialTransport, startSerialTransport } from './index.ts';

const CONTEC = 'usb-Contec_CMS50D+_0001-if00-port0';
const METER = 'usb-Prolific_Technology_Inc._USB-Serial_Controller_OT2-if00-port0';

let byId: SerialByIdDirectory | null = null;
let transport: SerialTransport | null = null;

afterEach(async () => {
  await transport?.stop();
  await byId?.close();
  transport = null;
  byId = null;
});

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function collect() {
  const frames: SerialChunk[] = [];
  const events: DeviceEvent[] = [];
  return {
    frames,
    events,
    sinks: {
      frame: (f: SerialChunk | { kind: 'ble' }) => {
        if (f.kind === 'serial') frames.push(f as SerialChunk);
      },
      event: (e: DeviceEvent) => events.push(e),
    },
    count: (type: string) => events.filter((e) => e.type === type).length,
  };
}

function decodeFrames(protocol: string, frames: SerialChunk[], tz = 'UTC') {
  const decoder = SERIAL_PROTOCOLS[protocol]!.createDecoder({ tz });
  return frames.flatMap((f) => decoder.push(f.bytes).readings);
}

describe('serial transport on pseudo-terminals', () => {
  it('reads a CMS50D+ stream found by its by-id name and decodes it', async () => {
    byId = await SerialByIdDirectory.create();
    await byId.plug(
      CONTEC,
      cms50dDevice(() => ({ spo2: 96, pulseRate: 70 })),
    );
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'Contec', protocol: 'contec-cms50d-live' }],
      sinks: c.sinks,
      tz: 'UTC',
    });
    await waitFor('60 packets', () => c.frames.reduce((n, f) => n + f.bytes.length, 0) >= 300);

    expect(c.events[0]).toMatchObject({
      type: 'device_connected',
      device: `serial:${CONTEC}`,
      detail: { protocol: 'contec-cms50d-live', model: 'Contec CMS50D+' },
    });
    expect(c.frames[0]!.device).toStrictEqual({ id: `serial:${CONTEC}`, transport: 'serial', model: 'Contec CMS50D+' });
    const readings = decodeFrames('contec-cms50d-live', c.frames);
    expect(readings.length).toBeGreaterThanOrEqual(100);
    expect(new Set(readings.map((r) => `${r.metric}=${r.value}`))).toStrictEqual(new Set(['spo2=96', 'pulse_rate=70']));
  });

  it('decodes only intact packets from a stream that loses bytes on the line', async () => {
    byId = await SerialByIdDirectory.create();
    // A lost byte always breaks the framing. Two faults in one packet (a loss and an inserted
    // or flipped byte) can keep its length, which the checksum-less protocol cannot detect.
    const device = cms50dDevice(() => ({ spo2: 93, pulseRate: 77 }), { corruption: { dropEvery: 97 } });
    await byId.plug(CONTEC, device);
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'Contec', protocol: 'contec-cms50d-live' }],
      sinks: c.sinks,
      tz: 'UTC',
    });
    await waitFor('900 bytes', () => c.frames.reduce((n, f) => n + f.bytes.length, 0) >= 900);

    const decoder = SERIAL_PROTOCOLS['contec-cms50d-live']!.createDecoder({ tz: 'UTC' });
    const outs = c.frames.map((f) => decoder.push(f.bytes));
    const readings = outs.flatMap((o) => o.readings);
    expect(outs.reduce((n, o) => n + o.skippedBytes, 0)).toBeGreaterThan(0);
    expect(device.corruptor!.damage.dropped).toBeGreaterThan(0);
    expect(new Set(readings.map((r) => `${r.metric}=${r.value}`))).toStrictEqual(new Set(['spo2=93', 'pulse_rate=77']));
  });

  it('reports an unplugged oximeter as lost and resumes its stream when it is plugged back in', async () => {
    byId = await SerialByIdDirectory.create();
    let phase = 1;
    await byId.plug(
      CONTEC,
      cms50dDevice(() => ({ spo2: phase === 1 ? 95 : 91, pulseRate: 64 })),
    );
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: '/cms50d\\+/i', protocol: 'contec-cms50d-live' }],
      sinks: c.sinks,
      tz: 'UTC',
      rescanIntervalMs: 500,
    });
    await waitFor('the first stream', () => c.frames.length >= 5);

    await byId.unplug(CONTEC);
    await waitFor('device_lost', () => c.count('device_lost') === 1);
    expect(transport.openDevices()).toStrictEqual([]);
    phase = 2;
    const before = c.frames.length;

    await byId.replug(CONTEC);
    await waitFor('a second device_connected', () => c.count('device_connected') === 2);
    await waitFor('the resumed stream', () => decodeFrames('contec-cms50d-live', c.frames.slice(before)).length >= 20);
    const after = decodeFrames('contec-cms50d-live', c.frames.slice(before));
    expect(after.filter((r) => r.metric === 'spo2').every((r) => r.value === 91)).toBe(true);
  });

  it('follows a device whose name moves to another tty', async () => {
    byId = await SerialByIdDirectory.create();
    await byId.plug(
      CONTEC,
      cms50dDevice(() => ({ spo2: 98, pulseRate: 80 })),
    );
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'Contec', protocol: 'contec-cms50d-live' }],
      sinks: c.sinks,
      tz: 'UTC',
    });
    await waitFor('device_connected', () => c.count('device_connected') === 1);
    const firstPath = byId.linkOf(CONTEC)!.path;
    const moved = await byId.move(CONTEC);
    await waitFor('a second device_connected', () => c.count('device_connected') === 2);

    expect(moved.path).not.toBe(firstPath);
    expect(
      c.events.filter((e) => e.type === 'device_connected').map((e) => (e.detail as { path: string }).path),
    ).toStrictEqual([firstPath, moved.path]);
    expect(c.count('device_lost')).toBe(1);
  });

  it('reports a port it cannot open as one port_error event and keeps running', async () => {
    byId = await SerialByIdDirectory.create();
    const notATty = join(byId.dir, '..', `vitals-not-a-tty-${process.pid}`);
    await writeFile(notATty, '');
    const { symlink, rm } = await import('node:fs/promises');
    await symlink(notATty, join(byId.dir, 'usb-Contec_CMS50D+_0002-if00-port0'));
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'Contec', protocol: 'contec-cms50d-live' }],
      sinks: c.sinks,
      tz: 'UTC',
      rescanIntervalMs: 100,
    });
    await waitFor('port_error', () => c.count('port_error') === 1);
    await byId.plug(CONTEC, cms50dDevice());
    await waitFor('the good device', () => c.count('device_connected') === 1);
    expect(c.count('port_error')).toBe(1);
    await rm(notATty);
  });

  it('downloads a OneTouch memory once and then only what is new', async () => {
    byId = await SerialByIdDirectory.create();
    const meter = new MeterDevice({
      tz: 'Asia/Tokyo',
      records: [
        { time: { year: 2026, month: 11, day: 24, hours: 7, minutes: 30, seconds: 0 }, mgdl: 99, meal: 'B' },
        { time: { year: 2026, month: 11, day: 24, hours: 8, minutes: 0, seconds: 0 }, mgdl: 105, control: true },
        { time: { year: 2026, month: 11, day: 23, hours: 21, minutes: 15, seconds: 0 }, mgdl: 250 },
      ],
    });
    await byId.plug(METER, meter);
    const cursors = new Map<string, string>();
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'OT2', protocol: 'onetouch-ultra2' }],
      sinks: c.sinks,
      tz: 'Asia/Tokyo',
      cursorStore: { get: (id) => cursors.get(id), set: (id, v) => cursors.set(id, v) },
      conversationIntervalMs: 200,
    });
    await waitFor('two downloads', () => c.count('download_complete') >= 2);

    const downloads = c.events.filter((e) => e.type === 'download_complete').map((e) => e.detail);
    expect(downloads.slice(0, 2)).toStrictEqual([
      { records: 3, new: 3, corrupt: 0 },
      { records: 3, new: 0, corrupt: 0 },
    ]);
    expect(c.frames).toHaveLength(1);
    expect(decodeFrames('onetouch-ultra2', c.frames, 'Asia/Tokyo')).toStrictEqual([
      { metric: 'glucose', value: 105, unit: 'mg/dL', time: '2026-11-23T23:00:00.000Z', flags: ['control_solution'] },
      { metric: 'glucose', value: 99, unit: 'mg/dL', time: '2026-11-23T22:30:00.000Z', flags: ['before_meal'] },
      { metric: 'glucose', value: 250, unit: 'mg/dL', time: '2026-11-23T12:15:00.000Z' },
    ]);
    expect(cursors.get(`serial:${METER}`)).toContain('"11/24/26","08:00:00   ","C 105 "');

    meter.meter.addRecord({ time: { year: 2026, month: 11, day: 24, hours: 9, minutes: 0, seconds: 0 }, mgdl: 140 });
    const seen = c.count('download_complete');
    await waitFor('a download with the new record', () => c.count('download_complete') > seen && c.frames.length === 2);
    expect(decodeFrames('onetouch-ultra2', c.frames.slice(1), 'Asia/Tokyo')).toStrictEqual([
      { metric: 'glucose', value: 140, unit: 'mg/dL', time: '2026-11-24T00:00:00.000Z' },
    ]);
  });

  it('sets a meter clock that is three hours behind before downloading', async () => {
    byId = await SerialByIdDirectory.create();
    const meter = new MeterDevice({ tz: 'Asia/Tokyo', clockErrorMs: -3 * 3_600_000 });
    await byId.plug(METER, meter);
    const c = collect();
    transport = startSerialTransport({
      byIdDir: byId.dir,
      rules: [{ match: 'OT2', protocol: 'onetouch-ultra2' }],
      sinks: c.sinks,
      tz: 'Asia/Tokyo',
    });
    await waitFor('clock_adjusted', () => c.count('clock_adjusted') === 1);
    await waitFor('download_complete', () => c.count('download_complete') === 1);

    const adjusted = c.events.find((e) => e.type === 'clock_adjusted')!.detail as { offsetSeconds: number };
    expect(Math.abs(adjusted.offsetSeconds + 3 * 3600)).toBeLessThanOrEqual(5);
    expect(Math.abs(meter.meter.clockErrorMs)).toBeLessThanOrEqual(5_000);
    expect(meter.meter.commands.map((cmd) => cmd.slice(0, 3))).toStrictEqual(['DMF', 'DMT', 'DMP']);
  });
});
