/** The simulated bindings speak noble's bindings protocol: events, arguments and order. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedBindings, type SimulatedBindings } from './bindings.ts';
import { SimWorld } from './world.ts';

let world: SimWorld;
let bindings: SimulatedBindings;
afterEach(() => {
  bindings.close();
  world.close();
});

function setup() {
  world = new SimWorld({ timing: { advertisingIntervalMs: 10, radioLatencyMs: 1 } });
  bindings = createSimulatedBindings(world);
  const log: unknown[][] = [];
  for (const e of [
    'stateChange',
    'discover',
    'connect',
    'disconnect',
    'servicesDiscover',
    'characteristicsDiscover',
    'read',
    'write',
    'notify',
  ]) {
    bindings.on(e, (...args: unknown[]) => log.push([e, ...args]));
  }
  const next = async (event: string) => {
    for (let i = 0; i < 200; i++) {
      const hit = log.find((l) => l[0] === event);
      if (hit) {
        log.splice(log.indexOf(hit), 1);
        return hit;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error(`no ${event} event`);
  };
  return { log, next };
}

describe('simulated noble bindings', () => {
  it('powers on, discovers advertising devices that match the scan filter and connects', async () => {
    const { next } = setup();
    const ox = world.addDevice({ kind: 'pulse-oximeter', address: '00:1C:05:12:34:56', rssi: -50 });
    world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:21' }); // asleep: no measurement yet
    bindings.init();
    expect(await next('stateChange')).toStrictEqual(['stateChange', 'poweredOn']);
    bindings.startScanning(['1822'], true);
    const d = await next('discover');
    expect(d.slice(0, 5)).toStrictEqual(['discover', '001c05123456', '00:1c:05:12:34:56', 'public', true]);
    expect(d[5]).toMatchObject({ localName: 'Nonin3230', serviceUuids: ['1822'] });
    bindings.connect('001c05123456');
    expect(await next('connect')).toStrictEqual(['connect', '001c05123456', null]);
    expect(ox.connected).toBe(true);
    expect(ox.advertising).toBe(false);
    bindings.discoverServices('001c05123456', []);
    expect(await next('servicesDiscover')).toStrictEqual([
      'servicesDiscover',
      '001c05123456',
      ['1822', '180a', '180f'],
    ]);
    bindings.discoverCharacteristics('001c05123456', '1822', []);
    expect((await next('characteristicsDiscover'))[3]).toStrictEqual([
      { uuid: '2a5e', properties: ['indicate'] },
      { uuid: '2a5f', properties: ['notify'] },
      { uuid: '2a60', properties: ['read'] },
    ]);
    bindings.read('001c05123456', '180a', '2a24');
    const read = await next('read');
    expect(read.slice(0, 4)).toStrictEqual(['read', '001c05123456', '180a', '2a24']);
    expect((read[4] as Buffer).toString()).toBe('3230');
    expect(read[5]).toBe(false);
  });

  it('holds a connection request until the device advertises, like LE Create Connection', async () => {
    const { next, log } = setup();
    const bp = world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:21' });
    bindings.connect('c47c8d6a3f21');
    await new Promise((r) => setTimeout(r, 30));
    expect(log.some((l) => l[0] === 'connect')).toBe(false);
    bp.measure({ systolic: 120, diastolic: 80 });
    expect(await next('connect')).toStrictEqual(['connect', 'c47c8d6a3f21', null]);
  });

  it('reports who ended the link with the HCI reason', async () => {
    const { next } = setup();
    const ox = world.addDevice({ kind: 'pulse-oximeter', address: '00:1c:05:12:34:56' });
    bindings.connect('001c05123456');
    await next('connect');
    bindings.disconnect('001c05123456');
    expect(await next('disconnect')).toStrictEqual(['disconnect', '001c05123456', 0x16]);
    bindings.connect('001c05123456');
    await next('connect');
    ox.disconnectNow();
    expect(await next('disconnect')).toStrictEqual(['disconnect', '001c05123456', 0x08]);
  });

  it('delivers stored indications after the subscription is confirmed, in order', async () => {
    const { next } = setup();
    const bp = world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:21', hangUpAfterTransferMs: null });
    const a = bp.measure({ systolic: 120, diastolic: 80 });
    const b = bp.measure({ systolic: 121, diastolic: 81 });
    bindings.connect('c47c8d6a3f21');
    await next('connect');
    bindings.notify('c47c8d6a3f21', '1810', '2a35', true);
    expect(await next('notify')).toStrictEqual(['notify', 'c47c8d6a3f21', '1810', '2a35', true]);
    const first = await next('read');
    const second = await next('read');
    expect([first[4], second[4]]).toStrictEqual([Buffer.from(a), Buffer.from(b)]);
    expect(first[5]).toBe(true);
  });
});
