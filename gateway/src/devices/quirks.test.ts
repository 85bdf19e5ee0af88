import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../decoders/ble/fixtures.ts';
import { decodeBle } from '../decoders/ble/index.ts';
import { MODEL_QUIRKS, quirksFor } from './quirks.ts';

describe('quirksFor', () => {
  it('finds a listed model, also with NUL padding or spaces as read from 2A24', () => {
    expect(quirksFor('WS-220B')).toBe(MODEL_QUIRKS['WS-220B']);
    expect(quirksFor(' WS-220B\0\0')).toBe(MODEL_QUIRKS['WS-220B']);
  });

  it('finds nothing for an unknown or missing model', () => {
    expect(quirksFor('UA-651BLE')).toBeUndefined();
    expect(quirksFor(undefined)).toBeUndefined();
    expect(quirksFor('toString')).toBeUndefined();
  });
});

describe('a scale that scales weight by its feature resolution (WS-220B)', () => {
  // raw 1400 = 0x0578; feature 0x000001A7: weight resolution 0.05 kg, height 0.001 m
  const weight = fixtureBytes('00 7805');
  const context = { weightScaleFeature: 'a7010000' };
  const info = { weightResolution: { value: 0.05, unit: 'kg' }, heightResolution: { value: 0.001, unit: 'm' } };

  it('reads 1400 x 0.05 kg = 70 kg for the quirky model', () => {
    expect(decodeBle('2A9D', weight, context, { tz: 'UTC', model: 'WS-220B' })).toStrictEqual({
      ok: true,
      readings: [{ metric: 'body_weight', value: 70, unit: 'kg' }],
      notes: [
        'model WS-220B quirk (scale scales the weight by its Weight Scale Feature resolution instead of 0.005 kg / 0.01 lb): weight scaled by 0.05 kg / 0.1 lb',
      ],
      info,
    });
  });

  it('reads 1400 x 0.005 kg = 7 kg by the specification without the model', () => {
    expect(decodeBle('2A9D', weight, context, { tz: 'UTC' })).toStrictEqual({
      ok: true,
      readings: [{ metric: 'body_weight', value: 7, unit: 'kg' }],
      notes: [],
      info,
    });
  });

  it('falls back to the specification with a note when the feature is missing', () => {
    expect(decodeBle('2A9D', weight, {}, { tz: 'UTC', model: 'WS-220B' })).toStrictEqual({
      ok: true,
      readings: [{ metric: 'body_weight', value: 7, unit: 'kg' }],
      notes: [
        'model WS-220B quirk (scale scales the weight by its Weight Scale Feature resolution instead of 0.005 kg / 0.01 lb): no weight resolution in context weightScaleFeature; specification scale used',
      ],
    });
  });
});

describe('a glucose meter that sets the mol/L flag for kg/L values (GM-550BT)', () => {
  // flags 0x06 (concentration, mol/L); seq 1; 2026-11-24 08:00:05; 0xB05F = 0.00095; capillary blood, finger
  const record = fixtureBytes('06 0100 ea070b18080005 5fb0 11');
  const info = { sequenceNumber: 1, sampleType: 'capillary_whole_blood', sampleLocation: 'finger' };

  it('reads 0.00095 kg/L = 95 mg/dL for the quirky model', () => {
    expect(decodeBle('2A18', record, {}, { tz: 'UTC', model: 'GM-550BT' })).toStrictEqual({
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 95,
          unit: 'mg/dL',
          source: { value: 0.00095, unit: 'kg/L' },
          time: '2026-11-24T08:00:05.000Z',
        },
      ],
      notes: [
        'model GM-550BT quirk (glucose meter sets the mol/L units flag but sends kg/L concentrations): flag bits 0x04 cleared',
      ],
      info,
    });
  });

  it('reads 0.00095 mol/L = 0.95 mmol/L = 17.1152 mg/dL by the specification without the model', () => {
    // 0.95 x 18.016 = 17.1152 exactly, not rounded
    expect(decodeBle('2A18', record, {}, { tz: 'UTC' })).toStrictEqual({
      ok: true,
      readings: [
        {
          metric: 'glucose',
          value: 17.1152,
          unit: 'mg/dL',
          source: { value: 0.00095, unit: 'mol/L' },
          time: '2026-11-24T08:00:05.000Z',
        },
      ],
      notes: [],
      info,
    });
  });
});

describe('a blood pressure monitor whose clock runs in UTC (BP-780U)', () => {
  const withTime = fixtureBytes('02 7800 5000 5d00 ea070b18080005');
  const tokyo = { tz: 'Asia/Tokyo' };
  const readings = (time: string) => [
    { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]', time },
    { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]', time },
    { metric: 'bp_mean', value: 93, unit: 'mm[Hg]', time },
  ];

  it('reads the time stamp as UTC for the quirky model', () => {
    expect(decodeBle('2A35', withTime, {}, { ...tokyo, model: 'BP-780U' })).toStrictEqual({
      ok: true,
      readings: readings('2026-11-24T08:00:05.000Z'),
      notes: [
        'model BP-780U quirk (blood pressure monitor keeps its clock in UTC, not local time): device time read in UTC',
      ],
    });
  });

  it('reads the time stamp in the gateway zone without the model', () => {
    expect(decodeBle('2A35', withTime, {}, tokyo)).toStrictEqual({
      ok: true,
      readings: readings('2026-11-23T23:00:05.000Z'),
      notes: [],
    });
  });

  it('adds no note when the measurement has no time stamp', () => {
    expect(decodeBle('2A35', fixtureBytes('00 7800 5000 5d00'), {}, { ...tokyo, model: 'BP-780U' })).toStrictEqual({
      ok: true,
      readings: [
        { metric: 'bp_systolic', value: 120, unit: 'mm[Hg]' },
        { metric: 'bp_diastolic', value: 80, unit: 'mm[Hg]' },
        { metric: 'bp_mean', value: 93, unit: 'mm[Hg]' },
      ],
      notes: [],
    });
  });
});
