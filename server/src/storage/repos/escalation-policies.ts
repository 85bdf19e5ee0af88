/** Each patient's escalation policy (none: the default policy applies). */
import type { Priority } from '@vitals/contract';
import type { Sql } from '../sql.ts';

/** What escalation does for one priority (notify/priority-policy.ts has the defaults). */
export interface PriorityRule {
  /** false: the alert is shown in the lists, nobody is paged. */
  page: boolean;
  /** Moves past the first page at most this many times; null: until acknowledged. */
  escalations: number | null;
}

export type PriorityPolicy = Record<Priority, PriorityRule>;

export type EscalationTarget =
  | { type: 'rota'; rotaId: string }
  | { type: 'team_role'; role: 'attending' | 'lead' | 'member' }
  | { type: 'user'; userId: string };

export interface EscalationStep {
  targets: EscalationTarget[];
  /** Minutes to wait for an acknowledgement before the next step. */
  delayMinutes: number;
}

export interface EscalationPolicy {
  steps: EscalationStep[];
  /** Rounds through all steps at most; null repeats until acknowledged (issue 7). */
  repeatLimit: number | null;
  /** What each priority does (absent: the defaults of notify/priority-policy.ts). */
  priorities?: PriorityPolicy;
}

export async function getPolicy(
  sql: Sql,
  patientId: string,
): Promise<(EscalationPolicy & { reason: string; changedBy: string | null; changedAt: Date }) | undefined> {
  const r = await sql.query<{
    steps: EscalationStep[];
    repeat_limit: number | null;
    priorities: PriorityPolicy | null;
    reason: string;
    changed_by: string | null;
    changed_at: Date;
  }>(
    'SELECT steps, repeat_limit, priorities, reason, changed_by, changed_at FROM escalation_policies WHERE patient_id = $1',
    [patientId],
  );
  const x = r.rows[0];
  return (
    x && {
      steps: x.steps,
      repeatLimit: x.repeat_limit,
      ...(x.priorities ? { priorities: x.priorities } : {}),
      reason: x.reason,
      changedBy: x.changed_by,
      changedAt: x.changed_at,
    }
  );
}

export async function setPolicy(sql: Sql, patientId: string, p: EscalationPolicy, reason: string, userId: string) {
  await sql.query(
    `INSERT INTO escalation_policies (patient_id, steps, repeat_limit, priorities, reason, changed_by) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (patient_id) DO UPDATE SET steps = excluded.steps, repeat_limit = excluded.repeat_limit,
       priorities = excluded.priorities, reason = excluded.reason, changed_by = excluded.changed_by, changed_at = now()`,
    [
      patientId,
      JSON.stringify(p.steps),
      p.repeatLimit,
      p.priorities ? JSON.stringify(p.priorities) : null,
      reason,
      userId,
    ],
  );
}
