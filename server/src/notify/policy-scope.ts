/**
 * Who an escalation policy may name (issue 11, item 7): people who may see the patient,
 * rotas of organisations with someone on the patient's care team, and team roles. Checked
 * when a policy is set; paging checks each person again (escalation.ts), since teams change.
 */
import { organisationsOnCareTeam } from '../storage/repos/care-team.ts';
import type { Rota } from '../storage/repos/rotas.ts';
import type { Sql } from '../storage/sql.ts';
import { maySeePatient } from './patient-access.ts';

/** Every target the policy may not name, as messages naming the step and target. */
export async function policyScopeProblems(
  sql: Sql,
  patientId: string,
  // As sent (api/escalation-policies) or stored: a target lacking its id is reported apart.
  policy: { steps: readonly { targets: readonly { type: string; rotaId?: string; userId?: string }[] }[] },
  rotas: Map<string, Rota>,
): Promise<string[]> {
  const problems: string[] = [];
  const teamOrganisations = await organisationsOnCareTeam(sql, patientId);
  for (const [i, step] of policy.steps.entries())
    for (const [j, t] of step.targets.entries()) {
      const where = `steps[${i}].targets[${j}]`;
      if (t.type === 'user' && t.userId && !(await maySeePatient(sql, t.userId, patientId)))
        // The same words for a stranger and an unknown id: no way to probe for accounts.
        problems.push(`${where}: user ${t.userId} is not on this patient's care team; name care-team members only`);
      if (t.type === 'rota') {
        const rota = t.rotaId ? rotas.get(t.rotaId) : undefined;
        if (rota && !teamOrganisations.has(rota.organisationId))
          problems.push(
            `${where}: rota ${t.rotaId} belongs to an organisation with nobody on this patient's care team`,
          );
      }
    }
  return problems;
}
