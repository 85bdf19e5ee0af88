/** Issue 17: what an organisation webhook says about readings: ids and links, values only when asked. */
import { describe, expect, it } from 'vitest';
import { observationId } from '../fhir/ids.ts';
import { observationPayload } from './org-webhooks.ts';

const P = '6f1c2a4e-0000-4000-8000-000000000001';
const T = new Date('2026-11-24T07:59:58.000Z');
const row = (id: string, metric: string, value: number) => ({
  id,
  patient_id: P,
  device_id: 'ble:c4:7c:8d:6a:3f:21',
  gateway_id: 'gw-tokyo-0001',
  flags: null,
  metric,
  time: T,
  value,
  unit: 'mm[Hg]',
});

describe('observation.recorded payloads', () => {
  const rows = [row('a', 'bp_systolic', 132.01), row('b', 'bp_diastolic', 82), row('c', 'pulse_rate', 70)];

  it('names the FHIR Observations and links, and no value, by default', () => {
    const p = observationPayload('https://vitals.example', P, rows, false);
    expect(p.observations.map((o) => o.id)).toEqual([observationId('a'), observationId('c')]);
    expect(p.observations[0]!.url).toBe(`https://vitals.example/fhir/R4/Observation/${observationId('a')}`);
    expect(p.links.page).toBe(`https://vitals.example/p/${P}`);
    expect(JSON.stringify(p)).not.toContain('132.01');
  });

  it('adds the values for a subscription that asked for data', () => {
    const p = observationPayload('https://vitals.example', P, rows, true);
    expect(p.observations[0]!.readings).toEqual([
      { metric: 'bp_systolic', value: 132.01, unit: 'mm[Hg]' },
      { metric: 'bp_diastolic', value: 82, unit: 'mm[Hg]' },
    ]);
  });
});
