import { describe, expect, it } from 'vitest';
import { BLE_PROFILES, type BleServiceProfile, HEALTH_SERVICES, profileForService } from './profiles.ts';

const profiles: readonly BleServiceProfile[] = BLE_PROFILES;
const uuid16 = /^[0-9A-F]{4}$/;

describe('BLE profile table', () => {
  it('has one profile per service', () => {
    expect(new Set(HEALTH_SERVICES).size).toBe(profiles.length);
  });

  it('spells every UUID as four upper-case hex digits', () => {
    for (const p of profiles) {
      for (const u of [
        p.service,
        ...p.measurements.map((m) => m.characteristic),
        ...p.context.map((c) => c.characteristic),
      ]) {
        expect(u).toMatch(uuid16);
      }
    }
  });

  it('claims each measurement characteristic in one profile only', () => {
    const all = profiles.flatMap((p) => p.measurements.map((m) => m.characteristic));
    expect(new Set(all).size).toBe(all.length);
  });

  it('makes devices continuous only through characteristics it subscribes to', () => {
    for (const p of profiles) {
      for (const c of p.continuousWith) expect(p.measurements.map((m) => m.characteristic)).toContain(c);
    }
  });

  it('uses the context keys the decoders expect', () => {
    expect(Object.fromEntries(profiles.flatMap((p) => p.context.map((c) => [c.characteristic, c.key])))).toStrictEqual({
      '2A1D': 'temperatureType',
      '2A60': 'plxFeatures',
      '2A9E': 'weightScaleFeature',
      '2A9B': 'bodyCompositionFeature',
      '2A51': 'glucoseFeature',
    });
  });

  it('scans for the health services of the brief', () => {
    expect([...HEALTH_SERVICES].sort()).toStrictEqual(['1808', '1809', '1810', '181B', '181D', '1822', '180D'].sort());
  });

  it('finds a profile whatever the case of the UUID', () => {
    expect(profileForService('181d')?.name).toBe('Weight Scale');
    expect(profileForService('FFF0')).toBeUndefined();
  });
});
