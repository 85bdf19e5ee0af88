import { describe, expect, it } from 'vitest';
import type { PatientGrantRow } from '../storage/repos/patients.ts';
import { GrantCache } from './grant-cache.ts';

const member = (over: Partial<PatientGrantRow> = {}): PatientGrantRow =>
  ({
    id: 'p1',
    display_name: 'P',
    visible: true,
    team_role: 'member',
    clearance: 'clinical',
    emergency_until: null,
    related_organisation: false,
    ...over,
  }) as PatientGrantRow;

describe('GrantCache', () => {
  it("keeps a member's visible grant for its time, then asks again", () => {
    let now = 0;
    const c = new GrantCache({ ttlMs: 1000, now: () => now });
    c.set('u1', 'p1', member());
    expect(c.get('u1', 'p1')?.clearance).toBe('clinical');
    expect(c.get('u2', 'p1')).toBeUndefined();
    now = 999;
    expect(c.get('u1', 'p1')).toBeDefined();
    now = 1000;
    expect(c.get('u1', 'p1')).toBeUndefined();
  });

  it('never keeps a refusal, an emergency access or a grant without a team role', () => {
    const c = new GrantCache();
    c.set('u1', 'p1', member({ visible: false }));
    c.set('u1', 'p2', member({ team_role: null, emergency_until: new Date(Date.now() + 60_000) }));
    c.set('u1', 'p3', member({ emergency_until: new Date(Date.now() + 60_000) }));
    expect(c.size).toBe(0);
  });

  it('forgets every grant to a patient whose team or record changed, and only those', () => {
    const c = new GrantCache();
    c.set('u1', 'p1', member());
    c.set('u2', 'p1', member());
    c.set('u1', 'p10', member({ id: 'p10' }));
    c.dropPatient('p1');
    expect(c.get('u1', 'p1')).toBeUndefined();
    expect(c.get('u2', 'p1')).toBeUndefined();
    expect(c.get('u1', 'p10')).toBeDefined();
  });

  it('holds at most its number of grants, the oldest going first', () => {
    const c = new GrantCache({ maxEntries: 2 });
    c.set('u1', 'a', member());
    c.set('u1', 'b', member());
    c.set('u1', 'c', member());
    expect(c.size).toBe(2);
    expect(c.get('u1', 'a')).toBeUndefined();
    expect(c.get('u1', 'c')).toBeDefined();
  });
});
