/**
 * On-call rotas and escalation policies: pure functions over them (shared/DOMAIN.md,
 * "On-call and escalation"; their shapes are stored by storage/repos/rotas.ts and
 * escalation-policies.ts). A rota belongs to an organisation; a patient's policy is a
 * list of steps, each naming rotas, team roles or people, so steps may cross organisations.
 */
import { addDays, localParts } from '../alerts/local-time.ts';
import type { EscalationPolicy } from '../storage/repos/escalation-policies.ts';
import type { Rota } from '../storage/repos/rotas.ts';

function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Who is on call at `t`, or null when the rota is empty. Overrides win; the latest listed wins. */
export function onCallAt(r: Rota, t: number): string | null {
  for (let i = r.overrides.length - 1; i >= 0; i--) {
    const o = r.overrides[i]!;
    if (o.from <= t && t < o.to) return o.userId;
  }
  if (r.members.length === 0) return null;
  const local = localParts(t, r.timezone);
  const [hh, mm] = r.handoverTime.split(':').map(Number) as [number, number];
  // Before the hand-over the previous day's shift is still on.
  const shiftDate = local.minutes < hh * 60 + mm ? addDays(local.date, -1) : local.date;
  const shift = Math.floor(daysBetween(r.startDate, shiftDate) / r.shiftDays);
  const n = r.members.length;
  return r.members[((shift % n) + n) % n]!;
}

/** Used when a patient has no policy: the attending physician and the team lead, every 15 minutes. */
export const DEFAULT_POLICY: EscalationPolicy = {
  steps: [
    {
      targets: [
        { type: 'team_role', role: 'attending' },
        { type: 'team_role', role: 'lead' },
      ],
      delayMinutes: 15,
    },
  ],
  repeatLimit: null,
};

export interface EscalationPosition {
  step: number;
  round: number;
}

/** The step after `p`, or null when the policy is exhausted. */
export function nextStep(policy: EscalationPolicy, p: EscalationPosition): EscalationPosition | null {
  if (p.step + 1 < policy.steps.length) return { step: p.step + 1, round: p.round };
  if (policy.repeatLimit !== null && p.round + 1 >= policy.repeatLimit) return null;
  return { step: 0, round: p.round + 1 };
}

/** Null when the policy is well formed, otherwise every problem in one message. */
/** `p` may be a policy as sent (api/escalation-policies), before its targets are checked. */
export function policyProblem(p: {
  steps: readonly { targets: readonly unknown[]; delayMinutes: number }[];
  repeatLimit: number | null;
}): string | null {
  const problems: string[] = [];
  if (p.steps.length === 0) problems.push('a policy needs at least one step');
  p.steps.forEach((s, i) => {
    if (s.targets.length === 0) problems.push(`steps[${i}] names nobody: add a rota, a team role or a person`);
    if (!(s.delayMinutes >= 1 && s.delayMinutes <= 24 * 60))
      problems.push(`steps[${i}].delayMinutes must be 1 to 1440`);
  });
  if (p.repeatLimit !== null && !(Number.isInteger(p.repeatLimit) && p.repeatLimit >= 1))
    problems.push('repeatLimit must be a whole number ≥ 1, or null to repeat until acknowledged');
  return problems.length ? problems.join('; ') : null;
}
