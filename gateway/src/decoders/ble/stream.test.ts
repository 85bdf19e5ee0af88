import { describe, expect, it } from 'vitest';
import { fixtureBytes } from './fixtures.ts';
import { BodyCompositionAssembler, GlucoseRecordAssembler } from './stream.ts';

const UTC = { tz: 'UTC' };
const TS = 'ea070b18080005'; // 2026-11-24 08:00:05
const TS_UTC = '2026-11-24T08:00:05.000Z';

// Packet 1: flags 0x100A (multiple packet | time stamp | basal metabolism); fat 21.5 %; basal 6000 kJ.
const PART_1 = fixtureBytes(`0a10 d700 ${TS} 7017`);
// Packet 2: flags 0x1C00 (multiple packet | weight | height); fat 21.5 %; 70 kg; 1.75 m.
const PART_2 = fixtureBytes('001c d700 b036 d606');
const SINGLE = fixtureBytes('0000 ea00'); // one-packet measurement, 23.4 %

describe('BodyCompositionAssembler', () => {
  it('holds the first packet and joins it with the second', () => {
    const a = new BodyCompositionAssembler();
    expect(a.push(PART_1, {}, UTC)).toStrictEqual([]);
    expect(a.waiting).toBe(true);
    expect(a.push(PART_2, {}, UTC)).toStrictEqual([
      {
        ok: true,
        readings: [
          { metric: 'body_fat', value: 21.5, unit: '%', time: TS_UTC },
          { metric: 'body_weight', value: 70, unit: 'kg', time: TS_UTC },
          { metric: 'body_height', value: 175, unit: 'cm', source: { value: 1.75, unit: 'm' }, time: TS_UTC },
        ],
        notes: ['joined from 2 packets of a multiple-packet measurement'],
        info: { basalMetabolismKJ: 6000, multiplePacket: true },
      },
    ]);
    expect(a.waiting).toBe(false);
  });

  it('passes a single-packet measurement straight through', () => {
    expect(new BodyCompositionAssembler().push(SINGLE, {}, UTC)).toStrictEqual([
      { ok: true, readings: [{ metric: 'body_fat', value: 23.4, unit: '%' }], notes: [] },
    ]);
  });

  it('emits a half measurement with a note when a single-packet one arrives instead of its second part', () => {
    const a = new BodyCompositionAssembler();
    a.push(PART_2, {}, UTC);
    expect(a.push(SINGLE, {}, UTC)).toStrictEqual([
      {
        ok: true,
        readings: [
          { metric: 'body_fat', value: 21.5, unit: '%' },
          { metric: 'body_weight', value: 70, unit: 'kg' },
          { metric: 'body_height', value: 175, unit: 'cm', source: { value: 1.75, unit: 'm' } },
        ],
        notes: ['multiple-packet measurement incomplete: the second packet never arrived'],
        info: { multiplePacket: true },
      },
      { ok: true, readings: [{ metric: 'body_fat', value: 23.4, unit: '%' }], notes: [] },
    ]);
  });

  it('flushes a pending packet on request and then holds nothing', () => {
    const a = new BodyCompositionAssembler();
    a.push(PART_1, {}, UTC);
    expect(a.flush()).toStrictEqual([
      {
        ok: true,
        readings: [{ metric: 'body_fat', value: 21.5, unit: '%', time: TS_UTC }],
        notes: ['multiple-packet measurement incomplete: the second packet never arrived'],
        info: { basalMetabolismKJ: 6000, multiplePacket: true },
      },
    ]);
    expect(a.flush()).toStrictEqual([]);
  });

  it('keeps the first body fat when the two packets disagree, with a note', () => {
    const a = new BodyCompositionAssembler();
    a.push(fixtureBytes('0010 d700'), {}, UTC);
    expect(a.push(fixtureBytes('0014 d800 b036'), {}, UTC)).toStrictEqual([
      {
        ok: true,
        readings: [
          { metric: 'body_fat', value: 21.5, unit: '%' },
          { metric: 'body_weight', value: 70, unit: 'kg' },
        ],
        notes: [
          'the two packets carry different bodyFat; the first is kept',
          'joined from 2 packets of a multiple-packet measurement',
        ],
        info: { multiplePacket: true },
      },
    ]);
  });

  it('reports a malformed packet and keeps waiting for the second part', () => {
    const a = new BodyCompositionAssembler();
    a.push(PART_1, {}, UTC);
    expect(a.push(fixtureBytes('001c d7'), {}, UTC)).toStrictEqual([
      { ok: false, error: '2A9C: needs 2 bytes for the body fat percentage at offset 2, got 1' },
    ]);
    expect(a.waiting).toBe(true);
  });
});

// seq 258, mol/L 5.3 mmol/L, capillary plasma at an alternate site, battery low + above range,
// context follows (flags 0x1E).
const MEASUREMENT_WITH_CONTEXT = fixtureBytes(`1e 0201 ${TS} 35c0 22 2100`);
const MEASUREMENT_WITH_CONTEXT_RESULT = {
  ok: true,
  readings: [
    {
      metric: 'glucose',
      value: 95.4848,
      unit: 'mg/dL',
      source: { value: 0.0053, unit: 'mol/L' },
      time: TS_UTC,
      flags: ['battery_low', 'result_above_range'],
    },
  ],
  notes: [],
  info: {
    sequenceNumber: 258,
    sampleType: 'capillary_plasma',
    sampleLocation: 'alternate_site_test',
    contextFollows: true,
  },
};
// seq 258: meal preprandial (flags 0x02)
const CONTEXT_258 = fixtureBytes('02 0201 01');
// seq 1, 95 mg/dL as kg/L, no context
const PLAIN_MEASUREMENT = fixtureBytes(`02 0100 ${TS} 5fb0 11`);
const PLAIN_RESULT = {
  ok: true,
  readings: [{ metric: 'glucose', value: 95, unit: 'mg/dL', source: { value: 0.00095, unit: 'kg/L' }, time: TS_UTC }],
  notes: [],
  info: { sequenceNumber: 1, sampleType: 'capillary_whole_blood', sampleLocation: 'finger' },
};

describe('GlucoseRecordAssembler', () => {
  it('attaches the context with the same sequence number to its measurement', () => {
    const a = new GlucoseRecordAssembler();
    expect(a.push('2A18', MEASUREMENT_WITH_CONTEXT, {}, UTC)).toStrictEqual([]);
    expect(a.waiting).toBe(true);
    expect(a.push('2a34', CONTEXT_258, {}, UTC)).toStrictEqual([
      {
        ...MEASUREMENT_WITH_CONTEXT_RESULT,
        info: { ...MEASUREMENT_WITH_CONTEXT_RESULT.info, context: { meal: 'preprandial' } },
      },
    ]);
    expect(a.waiting).toBe(false);
  });

  it('emits a measurement without the context flag at once', () => {
    expect(new GlucoseRecordAssembler().push('2A18', PLAIN_MEASUREMENT, {}, UTC)).toStrictEqual([PLAIN_RESULT]);
  });

  it('emits a measurement whose announced context never came when the next record arrives', () => {
    const a = new GlucoseRecordAssembler();
    a.push('2A18', MEASUREMENT_WITH_CONTEXT, {}, UTC);
    expect(a.push('2A18', PLAIN_MEASUREMENT, {}, UTC)).toStrictEqual([
      { ...MEASUREMENT_WITH_CONTEXT_RESULT, notes: ['context announced for sequence number 258 but none arrived'] },
      PLAIN_RESULT,
    ]);
  });

  it('passes a context that matches no measurement through with a note', () => {
    expect(new GlucoseRecordAssembler().push('2A34', CONTEXT_258, {}, UTC)).toStrictEqual([
      {
        ok: true,
        readings: [],
        notes: ['context for sequence number 258 matches no pending glucose measurement'],
        info: { sequenceNumber: 258, meal: 'preprandial' },
      },
    ]);
  });

  it('flushes a waiting measurement when the caller ends the transfer', () => {
    const a = new GlucoseRecordAssembler();
    a.push('2A18', MEASUREMENT_WITH_CONTEXT, {}, UTC);
    expect(a.flush()).toStrictEqual([
      { ...MEASUREMENT_WITH_CONTEXT_RESULT, notes: ['context announced for sequence number 258 but none arrived'] },
    ]);
    expect(a.flush()).toStrictEqual([]);
  });

  it('reports a malformed record and keeps the pending one', () => {
    const a = new GlucoseRecordAssembler();
    a.push('2A18', MEASUREMENT_WITH_CONTEXT, {}, UTC);
    expect(a.push('2A34', fixtureBytes('02 02'), {}, UTC)).toStrictEqual([
      { ok: false, error: '2A34: needs 2 bytes for the sequence number at offset 1, got 1' },
    ]);
    expect(a.waiting).toBe(true);
  });
});
