/**
 * A patient's escalation policy as its ordered steps: each step pages its targets (a rota, a team
 * role, a person) and waits so many minutes for an acknowledgement before the next. The server
 * allows only rotas of organisations on the patient's team and people on it; its refusal of a
 * step is shown in that step. Each person is reached on their own contacts (their channels).
 */
import { useEffect, useState } from 'preact/hooks';
import { type MessageKey, t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { Field, Problems, problemProps } from '../../ui/Field.tsx';
import { type FieldErrors, fieldErrors } from '../../ui/field-errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import { patientApi } from '../patient/api.ts';
import { oncallApi, type Policy, type PolicyStep, type PolicyTarget } from './oncall-api.ts';
import { TableHead } from './TableHead.tsx';

const MAX_STEPS = 10;
type StepKey = `step${number}`;
const STEP_FIELDS = Object.fromEntries(
  Array.from({ length: MAX_STEPS }, (_, i) => [`step${i}`, new RegExp(`^steps\\[${i}\\]`)]),
) as Record<StepKey, RegExp>;
const PRIORITIES = ['high', 'medium', 'low'] as const;
type Priority = (typeof PRIORITIES)[number];
type PolicyField = StepKey | 'repeatLimit' | 'reason' | `priority-${Priority}`;
const POLICY_FIELDS: Record<PolicyField, RegExp> = {
  ...STEP_FIELDS,
  repeatLimit: /repeatLimit/,
  reason: /\breason\b/,
  'priority-high': /^priorities\.high/,
  'priority-medium': /^priorities\.medium/,
  'priority-low': /^priorities\.low/,
};

/** What each priority does, as edited: page or not, how many escalations ('' = until acknowledged). */
type DraftPriorities = Record<Priority, { page: boolean; escalations: string }>;

interface DraftStep {
  delayMinutes: string;
  targets: PolicyTarget[];
}

const TEAM_ROLES = ['attending', 'lead', 'member'] as const;
const ROLE_LABEL: Record<(typeof TEAM_ROLES)[number], MessageKey> = {
  attending: 'teamRole.attending_physician',
  lead: 'teamRole.lead',
  member: 'teamRole.member',
};

function draftSteps(p: Policy): DraftStep[] {
  return p.steps.map((s) => ({ delayMinutes: String(s.delayMinutes), targets: s.targets.map((x) => ({ ...x })) }));
}

function TargetRow({
  id,
  target,
  rotas,
  people,
  onChange,
  onRemove,
}: {
  id: string;
  target: PolicyTarget;
  rotas: readonly { id: string; name: string }[];
  people: readonly { userId: string; displayName: string }[];
  onChange: (t: PolicyTarget) => void;
  onRemove: () => void;
}) {
  const value = target.type === 'rota' ? target.rotaId : target.type === 'user' ? target.userId : target.role;
  return (
    <li class="policy-target">
      <label for={`${id}-type`}>{t('policy.targetType')}</label>
      <select
        id={`${id}-type`}
        value={target.type}
        onChange={(e) => {
          const type = e.currentTarget.value;
          if (type === 'rota') onChange({ type, ...(rotas[0] ? { rotaId: rotas[0].id } : {}) });
          else if (type === 'user') onChange({ type, ...(people[0] ? { userId: people[0].userId } : {}) });
          else if (type === 'team_role') onChange({ type, role: 'attending' });
        }}
      >
        <option value="rota">{t('policy.type.rota')}</option>
        <option value="team_role">{t('policy.type.team_role')}</option>
        <option value="user">{t('policy.type.user')}</option>
      </select>
      <label for={`${id}-value`}>{t('policy.target')}</label>
      <select
        id={`${id}-value`}
        value={value ?? ''}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (target.type === 'rota') onChange({ type: 'rota', rotaId: v });
          else if (target.type === 'user') onChange({ type: 'user', userId: v });
          else {
            const role = TEAM_ROLES.find((r) => r === v);
            if (role) onChange({ type: 'team_role', role });
          }
        }}
      >
        {target.type === 'rota' && (
          <>
            {/* A rota named by the policy but not among the caller's: shown by its id, as the server keeps it. */}
            {target.rotaId && !rotas.some((r) => r.id === target.rotaId) && (
              <option value={target.rotaId}>{target.rotaId}</option>
            )}
            {rotas.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </>
        )}
        {target.type === 'user' &&
          people.map((p) => (
            <option key={p.userId} value={p.userId}>
              {p.displayName}
            </option>
          ))}
        {target.type === 'team_role' &&
          TEAM_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(ROLE_LABEL[r])}
            </option>
          ))}
      </select>
      <button type="button" onClick={onRemove}>
        {t('admin.remove')}
      </button>
    </li>
  );
}

export function EscalationPolicy({ patientId }: { patientId: string }) {
  const policy = useLoad((signal) => oncallApi.policy(patientId, signal), [patientId]);
  const rotas = useLoad((signal) => oncallApi.patientRotas(patientId, signal), [patientId]);
  const team = useLoad((signal) => patientApi.team(patientId, signal), [patientId]);
  const [steps, setSteps] = useState<DraftStep[]>([]);
  const [repeat, setRepeat] = useState('');
  const [priorities, setPriorities] = useState<DraftPriorities | null>(null);
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<FieldErrors<PolicyField>>({ byField: {}, form: [] });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!policy.data) return;
    setSteps(draftSteps(policy.data));
    setRepeat(policy.data.repeatLimit === null ? '' : String(policy.data.repeatLimit));
    const p = policy.data.priorities;
    setPriorities(
      Object.fromEntries(
        PRIORITIES.map((k) => [
          k,
          { page: p[k].page, escalations: p[k].escalations === null ? '' : String(p[k].escalations) },
        ]),
      ) as DraftPriorities,
    );
  }, [policy.data]);
  const people = (team.data ?? []).filter((m) => m.kind !== 'display');
  const rotaList = rotas.data ?? [];
  const change = (i: number, step: DraftStep) => {
    setSaved(false);
    setSteps(steps.map((s, j) => (j === i ? step : s)));
  };
  const move = (i: number, by: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    if (s) next.splice(i + by, 0, s);
    setSteps(next);
  };
  const submit = (event: Event) => {
    event.preventDefault();
    setSaved(false);
    setProblems({ byField: {}, form: [] });
    const sent: PolicyStep[] = steps.map((s) => ({ delayMinutes: Number(s.delayMinutes), targets: s.targets }));
    oncallApi
      .setPolicy(patientId, {
        reason: reason.trim(),
        steps: sent,
        repeatLimit: repeat.trim() === '' ? null : Number(repeat),
        ...(priorities
          ? {
              priorities: Object.fromEntries(
                PRIORITIES.map((k) => [
                  k,
                  {
                    page: priorities[k].page,
                    escalations: priorities[k].escalations.trim() === '' ? null : Number(priorities[k].escalations),
                  },
                ]),
              ) as Policy['priorities'],
            }
          : {}),
      })
      .then(
        () => {
          setSaved(true);
          setReason('');
          policy.reload();
        },
        (err: unknown) => setProblems(fieldErrors(err, POLICY_FIELDS)),
      );
  };
  const p = problems.byField;
  return (
    <form class="admin-form policy-form" data-testid="policy-form" onSubmit={submit}>
      <h3>{t('policy.heading')}</h3>
      {policy.error && <AlertBox text={policy.error} />}
      <p class="hint">
        {policy.data?.default ? `${t('policy.isDefault')} ` : ''}
        {t('policy.channels')}
      </p>
      <ol class="policy-steps">
        {steps.map((s, i) => {
          const id = `policy-step-${i}`;
          const stepProblems = p[`step${i}`];
          return (
            <li key={`${i}:${steps.length}`} data-testid="policy-step">
              <fieldset aria-describedby={stepProblems?.length ? `${id}-problems` : undefined}>
                <legend>{t('policy.step', { n: i + 1 })}</legend>
                <ul class="policy-targets">
                  {s.targets.map((target, j) => (
                    <TargetRow
                      key={`${i}:${j}:${target.type}`}
                      id={`${id}-target-${j}`}
                      target={target}
                      rotas={rotaList}
                      people={people}
                      onChange={(x) => change(i, { ...s, targets: s.targets.map((y, k) => (k === j ? x : y)) })}
                      onRemove={() => change(i, { ...s, targets: s.targets.filter((_, k) => k !== j) })}
                    />
                  ))}
                </ul>
                <button
                  type="button"
                  data-testid="policy-add-target"
                  onClick={() => change(i, { ...s, targets: [...s.targets, { type: 'team_role', role: 'attending' }] })}
                >
                  {t('policy.addTarget')}
                </button>
                <Field id={`${id}-delay`} label={t('policy.delay')}>
                  <input
                    id={`${id}-delay`}
                    type="number"
                    min={1}
                    max={1440}
                    required
                    value={s.delayMinutes}
                    onInput={(e) => change(i, { ...s, delayMinutes: e.currentTarget.value })}
                    {...problemProps(id, stepProblems)}
                  />
                </Field>
                <div class="form-buttons">
                  <button
                    type="button"
                    disabled={i === 0}
                    aria-label={t('policy.moveUp', { n: i + 1 })}
                    onClick={() => move(i, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    disabled={i === steps.length - 1}
                    aria-label={t('policy.moveDown', { n: i + 1 })}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </button>
                  <button type="button" onClick={() => setSteps(steps.filter((_, k) => k !== i))}>
                    {t('policy.removeStep', { n: i + 1 })}
                  </button>
                </div>
                {stepProblems && stepProblems.length > 0 && <Problems id={`${id}-problems`} problems={stepProblems} />}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        data-testid="policy-add-step"
        disabled={steps.length >= MAX_STEPS}
        onClick={() => setSteps([...steps, { delayMinutes: '15', targets: [{ type: 'team_role', role: 'lead' }] }])}
      >
        {t('policy.addStep')}
      </button>
      {priorities && (
        <table class="admin-table policy-priorities" data-testid="policy-priorities">
          <caption>{t('policy.priorities')}</caption>
          <TableHead columns={[t('policy.priority'), t('policy.page'), t('policy.escalations')]} />
          <tbody>
            {PRIORITIES.map((k) => {
              const id = `policy-priority-${k}`;
              const problemsOf = p[`priority-${k}`];
              const set = (change: Partial<DraftPriorities[Priority]>) =>
                setPriorities({ ...priorities, [k]: { ...priorities[k], ...change } });
              return (
                <tr key={k}>
                  <th scope="row">{t(`alerts.priority.${k}`)}</th>
                  <td>
                    <input
                      id={`${id}-page`}
                      type="checkbox"
                      aria-label={t('policy.pageFor', { priority: t(`alerts.priority.${k}`) })}
                      checked={priorities[k].page}
                      // A high-priority alert always pages (notify/priority-policy.ts).
                      disabled={k === 'high'}
                      onChange={(e) => set({ page: e.currentTarget.checked })}
                    />
                  </td>
                  <td>
                    <input
                      id={`${id}-escalations`}
                      type="number"
                      min={0}
                      max={1000}
                      aria-label={t('policy.escalationsFor', { priority: t(`alerts.priority.${k}`) })}
                      value={priorities[k].escalations}
                      onInput={(e) => set({ escalations: e.currentTarget.value })}
                      {...problemProps(id, problemsOf)}
                    />
                    {problemsOf && problemsOf.length > 0 && <Problems id={`${id}-problems`} problems={problemsOf} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Field id="policy-repeat" label={t('policy.repeat')} problems={p.repeatLimit}>
        <input
          id="policy-repeat"
          type="number"
          min={1}
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
          {...problemProps('policy-repeat', p.repeatLimit)}
        />
      </Field>
      <Field id="policy-reason" label={t('policy.reason')} problems={p.reason}>
        <input
          id="policy-reason"
          type="text"
          required
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
          {...problemProps('policy-reason', p.reason)}
        />
      </Field>
      <button type="submit">{t('admin.save')}</button>
      {problems.form.length > 0 && <AlertBox text={problems.form.join(' / ')} />}
      {saved && (
        <p role="status" data-testid="policy-saved">
          {t('admin.saved')}
        </p>
      )}
    </form>
  );
}
