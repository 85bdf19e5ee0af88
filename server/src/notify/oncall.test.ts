import { describe, expect, it } from 'vitest';
import { localToUtc } from '../alerts/local-time.ts';
import type { Rota } from '../storage/repos/rotas.ts';
import { nextStep, onCallAt, policyProblem } from './oncall.ts';

const rota: Rota = {
  id: 'r1',
  organisationId: 'o1',
  name: 'nurse station 24h phone',
  timezone: 'Asia/Tokyo',
  handoverTime: '09:00',
  shiftDays: 1,
  startDate: '2026-11-23',
  members: ['yamada', 'suzuki', 'tanaka'],
  overrides: [],
};
const tokyo = (date: string, hhmm: string) => localToUtc(date, hhmm, 'Asia/Tokyo');

describe('who is on call', () => {
  it.each([
    ['2026-11-23', '09:00', 'yamada'],
    ['2026-11-24', '03:00', 'yamada'],
    ['2026-11-24', '08:59', 'yamada'],
    ['2026-11-24', '09:00', 'suzuki'],
    ['2026-11-25', '12:00', 'tanaka'],
    ['2026-11-26', '12:00', 'yamada'],
    ['2026-11-22', '12:00', 'tanaka'],
  ])('on %s at %s Tokyo time it is %s', (date, time, who) => {
    expect(onCallAt(rota, tokyo(date, time))).toBe(who);
  });

  it('hands a weekly rota over once a week', () => {
    const weekly = { ...rota, shiftDays: 7 };
    expect(onCallAt(weekly, tokyo('2026-11-29', '12:00'))).toBe('yamada');
    expect(onCallAt(weekly, tokyo('2026-11-30', '09:00'))).toBe('suzuki');
  });

  it('lets an override win for its time range only', () => {
    const o = {
      ...rota,
      overrides: [{ userId: 'kato', from: tokyo('2026-11-24', '18:00'), to: tokyo('2026-11-25', '08:00') }],
    };
    expect(onCallAt(o, tokyo('2026-11-24', '17:59'))).toBe('suzuki');
    expect(onCallAt(o, tokyo('2026-11-24', '23:00'))).toBe('kato');
    expect(onCallAt(o, tokyo('2026-11-25', '08:00'))).toBe('suzuki');
  });

  it('hands over at local time across a DST change', () => {
    const ny = { ...rota, timezone: 'America/New_York', startDate: '2026-11-01' };
    expect(onCallAt(ny, localToUtc('2026-11-01', '09:00', 'America/New_York'))).toBe('yamada');
    expect(onCallAt(ny, localToUtc('2026-11-02', '08:59', 'America/New_York'))).toBe('yamada');
    expect(onCallAt(ny, localToUtc('2026-11-02', '09:00', 'America/New_York'))).toBe('suzuki');
  });

  it('has nobody on call in an empty rota', () => {
    expect(onCallAt({ ...rota, members: [] }, tokyo('2026-11-24', '12:00'))).toBeNull();
  });
});

describe('escalation steps', () => {
  const policy = {
    steps: [
      { targets: [{ type: 'rota' as const, rotaId: 'r1' }], delayMinutes: 10 },
      { targets: [{ type: 'team_role' as const, role: 'attending' as const }], delayMinutes: 10 },
    ],
    repeatLimit: 2,
  };
  it('goes to the next step, then repeats from the first until the limit', () => {
    expect(nextStep(policy, { step: 0, round: 0 })).toEqual({ step: 1, round: 0 });
    expect(nextStep(policy, { step: 1, round: 0 })).toEqual({ step: 0, round: 1 });
    expect(nextStep(policy, { step: 1, round: 1 })).toBeNull();
    expect(nextStep({ ...policy, repeatLimit: null }, { step: 1, round: 40 })).toEqual({ step: 0, round: 41 });
  });

  it('reports every problem of a malformed policy at once', () => {
    expect(policyProblem({ steps: [{ targets: [], delayMinutes: 0 }], repeatLimit: 0 })).toBe(
      'steps[0] names nobody: add a rota, a team role or a person; steps[0].delayMinutes must be 1 to 1440; repeatLimit must be a whole number ≥ 1, or null to repeat until acknowledged',
    );
  });
});
