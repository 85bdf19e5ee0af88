/**
 * A patient's measurement schedules (what is measured when): each a metric expected between two
 * local times (the patient's zone) on some weekdays; a missed one opens an alert of its priority.
 * Any member of the care team adds or removes one; the API has no edit (remove and add again).
 */
import { isMetric, METRICS, type Metric } from '@vitals/contract';
import { useState } from 'preact/hooks';
import { INTL_LOCALE, metricLabel, t, uiLocale } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field, Problems, problemProps } from '../../ui/Field.tsx';
import { type FieldErrors, fieldErrors } from '../../ui/field-errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import { type NewSchedule, oncallApi, type Schedule } from './oncall-api.ts';
import { TableHead } from './TableHead.tsx';

const SCHEDULE_FIELDS = {
  metric: /metric/i,
  times: /windowStart|dueTime|HH:MM/,
  weekdays: /weekdays/i,
  label: /\blabel\b/,
};
type ScheduleField = keyof typeof SCHEDULE_FIELDS;
const PRIORITIES = ['low', 'medium', 'high'] as const;
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
/** The metrics a person measures at home on a schedule (the others come with them or from the team). */
const SCHEDULED: Metric[] = ['bp_systolic', 'spo2', 'body_weight', 'body_temperature', 'glucose', 'pulse_rate'];

/** A weekday's short name: 0 = Sunday (1970-01-04 was a Sunday). */
function weekdayName(day: number): string {
  return new Intl.DateTimeFormat(INTL_LOCALE[uiLocale.value], { weekday: 'short', timeZone: 'UTC' }).format(
    Date.UTC(1970, 0, 4 + day),
  );
}

function when(s: Schedule): string {
  const days = s.weekdays.length === 7 ? t('schedule.everyDay') : s.weekdays.map(weekdayName).join('・');
  return t('schedule.window', { from: s.windowStart, due: s.dueTime, days });
}

export function Schedules({ patientId, zone }: { patientId: string; zone: string }) {
  const list = useLoad((signal) => oncallApi.schedules(patientId, signal), [patientId]);
  const locale = uiLocale.value;
  const [form, setForm] = useState({
    metric: 'bp_systolic' as string,
    windowStart: '06:00',
    dueTime: '10:00',
    weekdays: ALL_DAYS,
    priority: 'low' as (typeof PRIORITIES)[number],
    label: '',
  });
  const [problems, setProblems] = useState<FieldErrors<ScheduleField>>({ byField: {}, form: [] });
  const [removeError, setRemoveError] = useState<string | null>(null);
  const p = problems.byField;
  const submit = (event: Event) => {
    event.preventDefault();
    setProblems({ byField: {}, form: [] });
    const body: NewSchedule = {
      metric: form.metric,
      windowStart: form.windowStart,
      dueTime: form.dueTime,
      weekdays: form.weekdays,
      priority: form.priority,
      ...(form.label.trim() ? { label: form.label.trim() } : {}),
    };
    oncallApi.addSchedule(patientId, body).then(
      () => {
        setForm({ ...form, label: '' });
        list.reload();
      },
      (err: unknown) => setProblems(fieldErrors(err, SCHEDULE_FIELDS)),
    );
  };
  const label = (m: string) => (isMetric(m) ? metricLabel(locale, m) : m);
  return (
    <section class="schedules" aria-labelledby="schedules-heading" data-testid="schedules">
      <h3 id="schedules-heading">{t('schedule.heading')}</h3>
      <p class="hint">{t('schedule.intro', { zone })}</p>
      {list.error && <AlertBox text={list.error} />}
      {removeError && <AlertBox text={removeError} />}
      <table class="admin-table" data-testid="schedule-table">
        <TableHead
          columns={[t('schedule.metric'), t('schedule.when'), t('schedule.priority'), t('schedule.label')]}
          actions
        />
        <tbody>
          {list.data?.map((s) => (
            <tr key={s.id} data-schedule-id={s.id}>
              <td>{label(s.metric)}</td>
              <td>{when(s)}</td>
              <td>{t(`alerts.priority.${s.priority}`)}</td>
              <td>{s.label ?? ''}</td>
              <td>
                <button
                  type="button"
                  aria-label={t('schedule.remove', { what: `${label(s.metric)} ${when(s)}` })}
                  onClick={() =>
                    oncallApi
                      .removeSchedule(patientId, s.id)
                      .then(list.reload, (e: unknown) => setRemoveError(errorMessage(e)))
                  }
                >
                  {t('admin.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p class="empty">{t('schedule.none')}</p>}
      <form class="admin-form" data-testid="schedule-form" onSubmit={submit}>
        <h4>{t('schedule.add')}</h4>
        <Field id="schedule-metric" label={t('schedule.metric')} problems={p.metric}>
          <select
            id="schedule-metric"
            value={form.metric}
            onChange={(e) => setForm({ ...form, metric: e.currentTarget.value })}
            {...problemProps('schedule-metric', p.metric)}
          >
            {SCHEDULED.filter((m) => m in METRICS).map((m) => (
              <option key={m} value={m}>
                {label(m)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-from" label={t('schedule.from')}>
          <input
            id="schedule-from"
            type="time"
            required
            value={form.windowStart}
            onInput={(e) => setForm({ ...form, windowStart: e.currentTarget.value })}
            {...problemProps('schedule-times', p.times)}
          />
        </Field>
        <Field id="schedule-due" label={t('schedule.due')}>
          <input
            id="schedule-due"
            type="time"
            required
            value={form.dueTime}
            onInput={(e) => setForm({ ...form, dueTime: e.currentTarget.value })}
            {...problemProps('schedule-times', p.times)}
          />
        </Field>
        {p.times && <Problems id="schedule-times-problems" problems={p.times} />}
        <fieldset class="weekdays">
          <legend>{t('schedule.weekdays')}</legend>
          {ALL_DAYS.map((d) => (
            <label key={d} class="weekday">
              <input
                type="checkbox"
                checked={form.weekdays.includes(d)}
                onChange={(e) =>
                  setForm({
                    ...form,
                    weekdays: e.currentTarget.checked
                      ? [...form.weekdays, d].sort()
                      : form.weekdays.filter((x) => x !== d),
                  })
                }
              />
              {weekdayName(d)}
            </label>
          ))}
          {p.weekdays && <Problems problems={p.weekdays} />}
        </fieldset>
        <Field id="schedule-priority" label={t('schedule.priority')}>
          <select
            id="schedule-priority"
            value={form.priority}
            onChange={(e) => {
              const v = PRIORITIES.find((x) => x === e.currentTarget.value);
              if (v) setForm({ ...form, priority: v });
            }}
          >
            {PRIORITIES.map((x) => (
              <option key={x} value={x}>
                {t(`alerts.priority.${x}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="schedule-label" label={t('schedule.label')} problems={p.label}>
          <input
            id="schedule-label"
            type="text"
            maxLength={200}
            value={form.label}
            onInput={(e) => setForm({ ...form, label: e.currentTarget.value })}
            {...problemProps('schedule-label', p.label)}
          />
        </Field>
        <button type="submit">{t('schedule.addSubmit')}</button>
        {problems.form.length > 0 && <AlertBox text={problems.form.join(' / ')} />}
      </form>
    </section>
  );
}
