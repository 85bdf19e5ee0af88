/** The API and webhook shape of an alert (shared/CONTRACT.md: GET /api/v1/alerts). */
import { isMetric, METRICS } from '@vitals/contract';
import type { AlertRow } from '../storage/repos/alerts.ts';

function iso(d: Date): string;
function iso(d: Date | null): string | undefined;
function iso(d: Date | null) {
  return d ? d.toISOString() : undefined;
}

export function alertJson(a: AlertRow, patientName?: string) {
  // Inferred rather than Record<string, unknown>: the API routes check it against their response schema.
  const out = {
    id: a.id,
    patientId: a.patient_id,
    ...(patientName !== undefined ? { patientName } : {}),
    rule: a.rule,
    ...(a.rule_key ? { ruleKey: a.rule_key } : {}),
    ...(a.metric ? { metric: a.metric } : {}),
    ...(a.metric && isMetric(a.metric) ? { unit: METRICS[a.metric].unit } : {}),
    priority: a.priority,
    state: a.state,
    late: a.late,
    onsetAt: iso(a.onset_at),
    openedAt: iso(a.opened_at),
    createdAt: iso(a.created_at),
    updatedAt: iso(a.updated_at),
    ...(a.last_value !== null ? { lastValue: a.last_value } : {}),
    ...(a.worst_value !== null ? { worstValue: a.worst_value } : {}),
    ...(a.last_seen_at ? { lastSeenAt: iso(a.last_seen_at) } : {}),
    ...(a.condition_cleared_at ? { conditionClearedAt: iso(a.condition_cleared_at) } : {}),
    repeatCount: a.repeat_count,
    flapCount: a.flap_count,
    ...(a.acknowledged_at ? { acknowledgedAt: iso(a.acknowledged_at), acknowledgedBy: a.acknowledged_by } : {}),
    ...(a.ack_note ? { note: a.ack_note } : {}),
    ...(a.resolved_at ? { resolvedAt: iso(a.resolved_at), resolution: a.resolution } : {}),
    ...(a.resolved_by ? { resolvedBy: a.resolved_by } : {}),
    ...(a.silenced_by ? { silencedBy: a.silenced_by } : {}),
    ...(a.detail ? { detail: a.detail } : {}),
    escalation: {
      step: a.escalation_step,
      round: a.escalation_round,
      ...(a.next_escalation_at ? { nextAt: iso(a.next_escalation_at) } : {}),
    },
  };
  return out;
}
