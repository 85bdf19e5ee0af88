import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../encoders/writer.ts';
import type { SimLink } from '../peripheral.ts';
import { SimWorld } from '../world.ts';

/** A link that records what the meter sends, delivered at once. */
function fakeLink() {
  const sent: [string, string][] = [];
  let dropped: number | undefined;
  const link: SimLink = {
    deliver: async (_s, c, data) => {
      sent.push([c, toHex(data)]);
      return dropped === undefined;
    },
    drop: (reason) => {
      dropped = reason;
    },
  };
  return { link, sent, dropped: () => dropped };
}

let world: SimWorld;
afterEach(() => world.close());

function meterWith(records: number) {
  world = new SimWorld({ tz: 'UTC' });
  const meter = world.addDevice({ kind: 'glucose-meter', address: '00:60:19:a1:b2:c3' });
  for (let i = 0; i < records; i++) {
    meter.measure({ mgdl: 100 + i, time: { year: 2026, month: 1, day: 1, hours: 8, minutes: i, seconds: 0 } });
  }
  const f = fakeLink();
  meter.radio.onConnect(f.link);
  meter.radio.subscribe('1808', '2a18', true);
  meter.radio.subscribe('1808', '2a52', true);
  const racp = async (hex: string) => {
    f.sent.length = 0;
    meter.radio.write('1808', '2a52', fromHex(hex));
    await new Promise((r) => setTimeout(r, 5));
    return f.sent.map(([c, h]) =>
      c === '2a18' ? `2a18#${Number.parseInt(h.slice(4, 6) + h.slice(2, 4), 16)}` : `${c}:${h}`,
    );
  };
  return { meter, racp, f };
}

describe('simulated glucose meter RACP (GLS 3.6)', () => {
  it('reports all records then success', async () => {
    const { racp } = meterWith(3);
    expect(await racp('0101')).toStrictEqual(['2a18#1', '2a18#2', '2a18#3', '2a52:06000101']);
  });

  it('reports records with a sequence number >= the operand', async () => {
    const { racp } = meterWith(5);
    expect(await racp('0103010400')).toStrictEqual(['2a18#4', '2a18#5', '2a52:06000101']);
  });

  it('reports within a range, the first and the last record', async () => {
    const { racp } = meterWith(5);
    expect(await racp('01040102000300')).toStrictEqual(['2a18#2', '2a18#3', '2a52:06000101']);
    expect(await racp('0105')).toStrictEqual(['2a18#1', '2a52:06000101']);
    expect(await racp('0106')).toStrictEqual(['2a18#5', '2a52:06000101']);
  });

  it('answers "no records found" when nothing matches', async () => {
    const { racp } = meterWith(2);
    expect(await racp('0103010900')).toStrictEqual(['2a52:06000106']);
  });

  it('counts stored records', async () => {
    const { racp } = meterWith(3);
    expect(await racp('0401')).toStrictEqual(['2a52:05000300']);
    expect(await racp('0403010200')).toStrictEqual(['2a52:05000200']);
  });

  it('deletes records', async () => {
    const { racp, meter } = meterWith(3);
    expect(await racp('020201020000')).toStrictEqual(['2a52:06000201']);
    expect(meter.storedRecords.map((r) => r.sequenceNumber)).toStrictEqual([3]);
  });

  it('answers abort with success', async () => {
    const { racp } = meterWith(1);
    expect(await racp('0300')).toStrictEqual(['2a52:06000301']);
  });

  it('gives the specified response codes for bad requests', async () => {
    const { racp } = meterWith(2);
    expect(await racp('0900')).toStrictEqual(['2a52:06000902']);
    expect(await racp('0100')).toStrictEqual(['2a52:06000103']);
    expect(await racp('0107')).toStrictEqual(['2a52:06000104']);
    expect(await racp('010301')).toStrictEqual(['2a52:06000105']);
    expect(await racp('0103020000')).toStrictEqual(['2a52:06000109']);
    expect(await racp('0301')).toStrictEqual(['2a52:06000303']);
  });

  it('ignores a request while RACP indications are off, as the ATT error 0x81 would', async () => {
    const { racp, meter } = meterWith(2);
    meter.radio.subscribe('1808', '2a52', false);
    expect(await racp('0101')).toStrictEqual([]);
  });

  it('drops the link mid-download when the fault is injected', async () => {
    const { racp, meter, f } = meterWith(4);
    meter.injectFault({ kind: 'disconnect-mid-transfer', afterRecords: 2 });
    expect(await racp('0101')).toStrictEqual(['2a18#1', '2a18#2']);
    expect(f.dropped()).toBe(0x08);
  });
});

describe('simulated glucose meter with random RACP writes', () => {
  it('never throws and answers every complete request', async () => {
    const { meter, f } = meterWith(3);
    let seed = 99;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let i = 0; i < 2_000; i++) {
      const b = Uint8Array.from({ length: next() % 8 }, () => (next() % 3 === 0 ? next() % 8 : next()));
      expect(() => meter.radio.write('1808', '2a52', b)).not.toThrow();
      await new Promise((r) => setImmediate(r));
    }
    expect(f.sent.length).toBeGreaterThan(0);
  });
});
