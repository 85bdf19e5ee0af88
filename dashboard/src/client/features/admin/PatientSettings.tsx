/**
 * A patient's clinical settings, for the attending physician or the team lead: the NEWS2 SpO2
 * scale and who sees the vitals (attending physician only), the alert limits per rule (with the
 * reason, kept in the settings history), a planned absence that pauses the checks, the measurement
 * schedules and the escalation policy.
 */
import { useState } from 'preact/hooks';
import { type Body, request, seg } from '../../api.ts';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { ruleLabel } from '../alerts/labels.ts';
import { patientApi } from '../patient/api.ts';
import { EscalationPolicy } from './EscalationPolicy.tsx';
import { Schedules } from './Schedules.tsx';

type Change = Body<'/api/v1/patients/{id}', 'patch'>;
type AbsenceBody = Body<'/api/v1/patients/{id}/absences'>;

function useAction() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = (p: Promise<unknown>, done: () => void = () => {}) =>
    p.then(
      () => {
        setMessage({ ok: true, text: t('admin.saved') });
        done();
      },
      (err: unknown) => setMessage({ ok: false, text: errorMessage(err) }),
    );
  const view =
    message &&
    (message.ok ? (
      <p role="status" data-testid="settings-saved">
        {message.text}
      </p>
    ) : (
      <AlertBox text={message.text} />
    ));
  return { run, view };
}

export function PatientSettings({ patientId }: { patientId: string }) {
  const patient = useLoad((signal) => patientApi.patient(patientId, signal), [patientId]);
  const rules = useLoad((signal) => patientApi.alertRules(patientId, signal), [patientId]);
  const change = useAction();
  const limits = useAction();
  const absence = useAction();
  const [ruleId, setRuleId] = useState('');
  const [medium, setMedium] = useState('');
  const [high, setHigh] = useState('');
  const [reason, setReason] = useState('');
  const [away, setAway] = useState<{
    kind: NonNullable<AbsenceBody['kind']>;
    from: string;
    to: string;
    reason: string;
  }>({ kind: 'hospital', from: '', to: '', reason: '' });
  const thresholdRules = rules.data?.rules.flatMap((r) => {
    const e = r.effective ?? r;
    return e.kind === 'threshold' ? [e] : [];
  });
  const patch = (body: Change) =>
    change.run(request('PATCH', `/api/v1/patients/${seg(patientId)}`, body), patient.reload);
  const p = patient.data;

  return (
    <div class="patient-settings" data-testid="patient-settings">
      {p && (
        <form class="admin-form" onSubmit={(e) => e.preventDefault()}>
          <h3>{t('admin.clinicalSettings')}</h3>
          <Field id="settings-scale" label={t('admin.spo2Scale')}>
            <select
              id="settings-scale"
              value={String(p.spo2Scale)}
              onChange={(e) => void patch({ spo2Scale: e.currentTarget.value === '2' ? 2 : 1 })}
            >
              <option value="1">{t('admin.spo2Scale1')}</option>
              <option value="2">{t('admin.spo2Scale2')}</option>
            </select>
          </Field>
          <Field id="settings-sensitivity" label={t('admin.vitalsSensitivity')}>
            <select
              id="settings-sensitivity"
              value={p.vitalsSensitivity}
              onChange={(e) => {
                const v = e.currentTarget.value;
                if (v === 'team' || v === 'clinical' || v === 'restricted') void patch({ vitalsSensitivity: v });
              }}
            >
              {(['team', 'clinical', 'restricted'] as const).map((c) => (
                <option key={c} value={c}>
                  {t(`clearance.${c}`)}
                </option>
              ))}
            </select>
          </Field>
          {change.view}
        </form>
      )}
      <form
        class="admin-form"
        data-testid="limits-form"
        onSubmit={(e) => {
          e.preventDefault();
          const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
          void limits.run(
            request('PUT', `/api/v1/patients/${seg(patientId)}/alert-rules/${seg(ruleId)}`, {
              reason: reason.trim(),
              bands: {
                ...(num(medium) !== undefined ? { medium: num(medium) } : {}),
                ...(num(high) !== undefined ? { high: num(high) } : {}),
              },
            }),
            rules.reload,
          );
        }}
      >
        <h3>{t('admin.limits')}</h3>
        <Field id="limit-rule" label={t('alerts.what')}>
          <select
            id="limit-rule"
            required
            value={ruleId}
            onChange={(e) => {
              const id = e.currentTarget.value;
              setRuleId(id);
              const r = thresholdRules?.find((x) => x.id === id);
              setMedium(r?.bands.medium !== undefined ? String(r.bands.medium) : '');
              setHigh(r?.bands.high !== undefined ? String(r.bands.high) : '');
            }}
          >
            <option value="">—</option>
            {thresholdRules?.map((r) => (
              <option key={r.id} value={r.id}>
                {ruleLabel(r.id)} ({r.direction === 'above' ? '≥' : '<'} {r.bands.medium ?? '—'} / {r.bands.high ?? '—'}
                )
              </option>
            ))}
          </select>
        </Field>
        <Field id="limit-medium" label={t('admin.limitMedium')}>
          <input
            id="limit-medium"
            type="number"
            step="any"
            value={medium}
            onInput={(e) => setMedium(e.currentTarget.value)}
          />
        </Field>
        <Field id="limit-high" label={t('admin.limitHigh')}>
          <input
            id="limit-high"
            type="number"
            step="any"
            value={high}
            onInput={(e) => setHigh(e.currentTarget.value)}
          />
        </Field>
        <Field id="limit-reason" label={t('alerts.silenceReason')}>
          <input
            id="limit-reason"
            type="text"
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        <button type="submit">{t('admin.save')}</button>
        {limits.view}
      </form>
      <form
        class="admin-form"
        data-testid="absence-form"
        onSubmit={(e) => {
          e.preventDefault();
          void absence.run(
            request('POST', `/api/v1/patients/${seg(patientId)}/absences`, {
              kind: away.kind,
              reason: away.reason.trim(),
              endsAt: new Date(away.to).toISOString(),
              ...(away.from ? { startsAt: new Date(away.from).toISOString() } : {}),
            } satisfies AbsenceBody),
          );
        }}
      >
        <h3>{t('admin.absence')}</h3>
        <Field id="absence-kind" label={t('admin.absenceKind')}>
          <select
            id="absence-kind"
            value={away.kind}
            onChange={(e) => {
              const k = e.currentTarget.value;
              if (k === 'hospital' || k === 'short_stay' || k === 'other') setAway({ ...away, kind: k });
            }}
          >
            {(['hospital', 'short_stay', 'other'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`record.absence.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="absence-from" label={t('admin.absenceFrom')}>
          <input
            id="absence-from"
            type="datetime-local"
            value={away.from}
            onInput={(e) => setAway({ ...away, from: e.currentTarget.value })}
          />
        </Field>
        <Field id="absence-to" label={t('admin.absenceTo')}>
          <input
            id="absence-to"
            type="datetime-local"
            required
            value={away.to}
            onInput={(e) => setAway({ ...away, to: e.currentTarget.value })}
          />
        </Field>
        <Field id="absence-reason" label={t('alerts.silenceReason')}>
          <input
            id="absence-reason"
            type="text"
            required
            value={away.reason}
            onInput={(e) => setAway({ ...away, reason: e.currentTarget.value })}
          />
        </Field>
        <button type="submit">{t('admin.save')}</button>
        {absence.view}
      </form>
      {p && <Schedules patientId={patientId} zone={p.timezone} />}
      <EscalationPolicy patientId={patientId} />
    </div>
  );
}
