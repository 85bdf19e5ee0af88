/**
 * What escalation does for each priority (issue 14): high pages and cycles through the steps
 * until someone acknowledges (the policy's `repeatLimit` caps it); medium pages once and
 * escalates once, then stops and stays visible; low is shown, never paged. A patient's
 * escalation policy may set its own (`priorities`), each priority in full.
 */
import type { Priority } from '@vitals/contract';
import type { PriorityPolicy, PriorityRule } from '../storage/repos/escalation-policies.ts';

export type { PriorityPolicy, PriorityRule };

export const DEFAULT_PRIORITY_POLICY: PriorityPolicy = {
  high: { page: true, escalations: null },
  medium: { page: true, escalations: 1 },
  low: { page: false, escalations: 0 },
};

/** The rule of one priority: the policy's own, or the default. */
export function priorityRule(p: Partial<PriorityPolicy> | null | undefined, priority: Priority): PriorityRule {
  return p?.[priority] ?? DEFAULT_PRIORITY_POLICY[priority];
}

/** How many times an alert at `pos` has escalated past its first page (steps of earlier rounds count). */
export function escalationsAt(stepCount: number, pos: { step: number; round: number }): number {
  return pos.round * stepCount + pos.step;
}

/** Every problem of a sent `priorities`, in one list. */
export function priorityPolicyProblems(p: Partial<Record<string, { page: boolean; escalations: number | null }>>) {
  const problems: string[] = [];
  for (const [k, r] of Object.entries(p)) {
    if (!r) continue;
    if (r.escalations !== null && !(Number.isInteger(r.escalations) && r.escalations >= 0 && r.escalations <= 1000))
      problems.push(`priorities.${k}.escalations must be a whole number from 0 to 1000, or null until acknowledged`);
  }
  if (p.high && !p.high.page) problems.push('priorities.high.page must be true: a high-priority alert always pages');
  return problems;
}
