/**
 * A patient's escalation policy (schemas in ./schemas.ts): set by the attending physician or
 * the team lead, with every problem of a policy reported at once; it may name only people and
 * rotas that may see the patient (notify/policy-scope.ts). Kept in the history, audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { badRequest } from '../../errors.ts';
import { DEFAULT_POLICY, policyProblem } from '../../notify/oncall.ts';
import { policyScopeProblems } from '../../notify/policy-scope.ts';
import { DEFAULT_PRIORITY_POLICY, priorityPolicyProblems } from '../../notify/priority-policy.ts';
import { recordSettingsChange } from '../../storage/repos/alert-settings.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  type EscalationPolicy,
  type EscalationTarget,
  getPolicy,
  setPolicy,
} from '../../storage/repos/escalation-policies.ts';
import { findRotas } from '../../storage/repos/rotas.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

type TargetAsSent = Static<typeof schema.PolicyBody>['steps'][number]['targets'][number];

/** The target, or what it lacks. */
function targetOf(t: TargetAsSent): EscalationTarget | string {
  switch (t.type) {
    case 'rota':
      return t.rotaId ? { type: 'rota', rotaId: t.rotaId } : 'a rota target needs rotaId';
    case 'team_role':
      return t.role ? { type: 'team_role', role: t.role } : 'a team_role target needs role';
    case 'user':
      return t.userId ? { type: 'user', userId: t.userId } : 'a user target needs userId';
    default:
      return t.type satisfies never;
  }
}

export const escalationPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/patients/:id/escalation-policy',
    { schema: schema.get, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      const pol = await getPolicy(sql, p.id);
      return pol
        ? {
            steps: pol.steps,
            repeatLimit: pol.repeatLimit,
            priorities: pol.priorities ?? DEFAULT_PRIORITY_POLICY,
            reason: pol.reason,
            changedBy: pol.changedBy,
            changedAt: pol.changedAt.toISOString(),
            default: false,
          }
        : { ...DEFAULT_POLICY, priorities: DEFAULT_PRIORITY_POLICY, default: true };
    },
  );

  app.put(
    '/api/v1/patients/:id/escalation-policy',
    { schema: schema.set, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
      const sent = { steps: b.steps, repeatLimit: b.repeatLimit ?? null };
      const problems: string[] = [];
      const problem = policyProblem(sent);
      if (problem) problems.push(problem);
      if (b.priorities) problems.push(...priorityPolicyProblems(b.priorities));
      const policy: EscalationPolicy = {
        repeatLimit: sent.repeatLimit,
        ...(b.priorities ? { priorities: b.priorities } : {}),
        steps: sent.steps.map((st, i) => ({
          delayMinutes: st.delayMinutes,
          targets: st.targets.flatMap((t, j) => {
            const target = targetOf(t);
            if (typeof target !== 'string') return [target];
            problems.push(`steps[${i}].targets[${j}]: ${target}`);
            return [];
          }),
        })),
      };
      const rotaIds = sent.steps.flatMap((s) =>
        s.targets.flatMap((t) => (t.type === 'rota' && t.rotaId ? [t.rotaId] : [])),
      );
      const rotas = await findRotas(sql, rotaIds);
      for (const id of rotaIds) if (!rotas.has(id)) problems.push(`rota ${id} does not exist`);
      // Checked as sent, so the step and target named are the ones the caller sent.
      problems.push(...(await policyScopeProblems(sql, p.id, sent, rotas)));
      if (problems.length) throw badRequest(problems.join('; '));
      const before = await getPolicy(sql, p.id);
      await sql.transaction(async (tx) => {
        await setPolicy(tx, p.id, policy, b.reason, u.id);
        await recordSettingsChange(
          tx,
          p.id,
          'escalation_policy',
          before
            ? {
                steps: before.steps,
                repeatLimit: before.repeatLimit,
                ...(before.priorities ? { priorities: before.priorities } : {}),
              }
            : null,
          policy,
          b.reason,
          u.id,
        );
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'escalation_policy.change',
          detail: { reason: b.reason },
          ip: req.ip,
        });
      });
      return { ...policy, priorities: policy.priorities ?? DEFAULT_PRIORITY_POLICY, reason: b.reason, default: false };
    },
  );
};
