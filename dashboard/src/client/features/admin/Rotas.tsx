/**
 * On-call rotas of the organisation (`#/admin/rotas`): each with its hand-over, shift length and
 * people in shift order, and who is on call now; one opened as a week grid (RotaWeek) with its
 * shift swaps. Create or edit a rota (the members ordered with buttons, no dragging needed), swap a
 * shift. The API keeps rotas (an escalation policy may name one), so there is no delete.
 */
import { useEffect, useState } from 'preact/hooks';
import { t, uiLocale } from '../../i18n.ts';
import { formatFullDateTime, toMillis } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { Field, Problems, problemProps } from '../../ui/Field.tsx';
import { type FieldErrors, fieldErrors } from '../../ui/field-errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi, type OrgUser } from './api.ts';
import { professionLabel } from './labels.ts';
import { oncallApi, type Rota, type RotaBody } from './oncall-api.ts';
import { RotaWeek } from './RotaWeek.tsx';
import { TableHead } from './TableHead.tsx';

type RotaField = 'name' | 'timezone' | 'handoverTime' | 'shiftDays' | 'startDate' | 'members';
const ROTA_FIELDS: Record<RotaField, RegExp> = {
  name: /\bname\b/i,
  timezone: /timezone/i,
  handoverTime: /handover/i,
  shiftDays: /shiftDays/i,
  startDate: /startDate/i,
  members: /member/i,
};

interface Draft {
  name: string;
  timezone: string;
  handoverTime: string;
  shiftDays: string;
  startDate: string;
  members: string[];
}

const EMPTY: Draft = {
  name: '',
  timezone: 'Asia/Tokyo',
  handoverTime: '09:00',
  shiftDays: '1',
  startDate: '',
  members: [],
};

function draftOf(r: Rota): Draft {
  return {
    name: r.name,
    timezone: r.timezone,
    handoverTime: r.handoverTime,
    shiftDays: String(r.shiftDays),
    startDate: r.startDate,
    members: [...r.members],
  };
}

function OnCallNow({ rota, names }: { rota: Rota; names: ReadonlyMap<string, string> }) {
  const now = useLoad((signal) => oncallApi.onCall(rota.id, undefined, signal), [JSON.stringify(rota)]);
  if (now.error) return <span>{now.error}</span>;
  if (!now.data) return <span>…</span>;
  const id = now.data.userId;
  return <span data-testid="on-call-now">{id ? (now.data.displayName ?? names.get(id) ?? id) : t('rota.nobody')}</span>;
}

/** The rota's people in shift order: move up or down, remove, add one of the organisation. */
function MemberList({
  members,
  people,
  names,
  problems,
  onChange,
}: {
  members: string[];
  people: readonly OrgUser[];
  names: ReadonlyMap<string, string>;
  problems: string[] | undefined;
  onChange: (members: string[]) => void;
}) {
  const [adding, setAdding] = useState('');
  const move = (i: number, by: number) => {
    const next = [...members];
    const [m] = next.splice(i, 1);
    if (m) next.splice(i + by, 0, m);
    onChange(next);
  };
  const candidates = people.filter((p) => !p.disabled && !members.includes(p.id));
  return (
    <fieldset class="member-list" data-testid="rota-members">
      <legend>{t('rota.members')}</legend>
      <ol>
        {members.map((id, i) => {
          const name = names.get(id) ?? id;
          return (
            <li key={id}>
              <span>{name}</span>{' '}
              <button
                type="button"
                disabled={i === 0}
                aria-label={t('rota.moveUp', { name })}
                onClick={() => move(i, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                disabled={i === members.length - 1}
                aria-label={t('rota.moveDown', { name })}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                aria-label={t('rota.removeMember', { name })}
                onClick={() => onChange(members.filter((m) => m !== id))}
              >
                {t('admin.remove')}
              </button>
            </li>
          );
        })}
      </ol>
      <label for="rota-add-member">{t('rota.addMember')}</label>{' '}
      <select id="rota-add-member" value={adding} onChange={(e) => setAdding(e.currentTarget.value)}>
        <option value="">—</option>
        {candidates.map((p) => (
          <option key={p.id} value={p.id}>
            {p.displayName} ({professionLabel(p.profession)})
          </option>
        ))}
      </select>{' '}
      <button
        type="button"
        data-testid="rota-add-member"
        disabled={!adding}
        onClick={() => {
          onChange([...members, adding]);
          setAdding('');
        }}
      >
        {t('rota.add')}
      </button>
      {problems && problems.length > 0 && <Problems problems={problems} />}
    </fieldset>
  );
}

function RotaForm({
  orgId,
  rota,
  people,
  names,
  onSaved,
  onCancel,
}: {
  orgId: string;
  rota: Rota | null;
  people: readonly OrgUser[];
  names: ReadonlyMap<string, string>;
  onSaved: (r: Rota) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(rota ? draftOf(rota) : EMPTY);
  const [problems, setProblems] = useState<FieldErrors<RotaField>>({ byField: {}, form: [] });
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(rota ? draftOf(rota) : EMPTY), [rota?.id]);
  const set = (change: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...draft, ...change });
  };
  const p = problems.byField;
  const submit = (event: Event) => {
    event.preventDefault();
    setProblems({ byField: {}, form: [] });
    const body: RotaBody = {
      name: draft.name.trim(),
      timezone: draft.timezone.trim(),
      handoverTime: draft.handoverTime,
      shiftDays: Number(draft.shiftDays),
      ...(draft.startDate ? { startDate: draft.startDate } : {}),
      members: draft.members,
      ...(rota ? {} : { organisationId: orgId }),
    };
    (rota ? oncallApi.updateRota(rota.id, body) : oncallApi.createRota(body)).then(
      (r) => {
        setSaved(true);
        onSaved(r);
      },
      (err: unknown) => setProblems(fieldErrors(err, ROTA_FIELDS)),
    );
  };
  const id = rota ? 'rota-edit' : 'rota-new';
  return (
    <form class="admin-form rota-form" data-testid="rota-form" onSubmit={submit}>
      <h3>{rota ? t('rota.editHeading', { name: rota.name }) : t('rota.newHeading')}</h3>
      <Field id={`${id}-name`} label={t('rota.name')} problems={p.name}>
        <input
          id={`${id}-name`}
          type="text"
          required
          maxLength={200}
          value={draft.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
          {...problemProps(`${id}-name`, p.name)}
        />
      </Field>
      <Field id={`${id}-timezone`} label={t('rota.timezone')} problems={p.timezone}>
        <input
          id={`${id}-timezone`}
          type="text"
          required
          value={draft.timezone}
          onInput={(e) => set({ timezone: e.currentTarget.value })}
          {...problemProps(`${id}-timezone`, p.timezone)}
        />
      </Field>
      <Field id={`${id}-handover`} label={t('rota.handover')} problems={p.handoverTime}>
        <input
          id={`${id}-handover`}
          type="time"
          required
          value={draft.handoverTime}
          onInput={(e) => set({ handoverTime: e.currentTarget.value })}
          {...problemProps(`${id}-handover`, p.handoverTime)}
        />
      </Field>
      <Field id={`${id}-shift`} label={t('rota.shiftDays')} problems={p.shiftDays}>
        <input
          id={`${id}-shift`}
          type="number"
          min={1}
          max={28}
          required
          value={draft.shiftDays}
          onInput={(e) => set({ shiftDays: e.currentTarget.value })}
          {...problemProps(`${id}-shift`, p.shiftDays)}
        />
      </Field>
      <Field id={`${id}-start`} label={t('rota.startDate')} problems={p.startDate}>
        <input
          id={`${id}-start`}
          type="date"
          value={draft.startDate}
          onInput={(e) => set({ startDate: e.currentTarget.value })}
          {...problemProps(`${id}-start`, p.startDate)}
        />
      </Field>
      <MemberList
        members={draft.members}
        people={people}
        names={names}
        problems={p.members}
        onChange={(members) => set({ members })}
      />
      <div class="form-buttons">
        <button type="submit">{t('admin.save')}</button>
        {rota && (
          <button type="button" onClick={onCancel}>
            {t('timeline.cancel')}
          </button>
        )}
      </div>
      {problems.form.length > 0 && <AlertBox text={problems.form.join(' / ')} />}
      {saved && (
        <p role="status" data-testid="rota-saved">
          {t('admin.saved')}
        </p>
      )}
    </form>
  );
}

/** A shift swap: someone takes over the rota for a time (an administrator, or the person themself). */
function SwapForm({ rota, people, onSaved }: { rota: Rota; people: readonly OrgUser[]; onSaved: (r: Rota) => void }) {
  const [form, setForm] = useState({ userId: '', from: '', to: '', reason: '' });
  const [error, setError] = useState<string[]>([]);
  return (
    <form
      class="admin-form"
      data-testid="swap-form"
      onSubmit={(e) => {
        e.preventDefault();
        setError([]);
        oncallApi
          .addOverride(rota.id, {
            userId: form.userId,
            from: new Date(form.from).toISOString(),
            to: new Date(form.to).toISOString(),
            ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
          })
          .then(
            (r) => {
              setForm({ userId: '', from: '', to: '', reason: '' });
              onSaved(r);
            },
            (err: unknown) => setError(fieldErrors(err, {}).form),
          );
      }}
    >
      <h3>{t('rota.swap')}</h3>
      <Field id="swap-person" label={t('admin.person')}>
        <select
          id="swap-person"
          required
          value={form.userId}
          onChange={(e) => setForm({ ...form, userId: e.currentTarget.value })}
        >
          <option value="">—</option>
          {people
            .filter((p) => !p.disabled)
            .map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName}
              </option>
            ))}
        </select>
      </Field>
      <Field id="swap-from" label={t('rota.swapFrom')}>
        <input
          id="swap-from"
          type="datetime-local"
          required
          value={form.from}
          onInput={(e) => setForm({ ...form, from: e.currentTarget.value })}
        />
      </Field>
      <Field id="swap-to" label={t('rota.swapTo')}>
        <input
          id="swap-to"
          type="datetime-local"
          required
          value={form.to}
          onInput={(e) => setForm({ ...form, to: e.currentTarget.value })}
        />
      </Field>
      <Field id="swap-reason" label={t('rota.swapReason')}>
        <input
          id="swap-reason"
          type="text"
          maxLength={500}
          value={form.reason}
          onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })}
        />
      </Field>
      <button type="submit">{t('rota.swapSubmit')}</button>
      {error.length > 0 && <AlertBox text={error.join(' / ')} />}
    </form>
  );
}

export function Rotas({ orgId }: { orgId: string }) {
  const rotas = useLoad((signal) => oncallApi.rotas(signal), []);
  const users = useLoad((signal) => adminApi.users(orgId, signal), [orgId]);
  const [open, setOpen] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const people = users.data ?? [];
  const names = new Map(people.map((u) => [u.id, u.displayName]));
  const mine = (rotas.data ?? []).filter((r) => r.organisationId === orgId);
  const opened = mine.find((r) => r.id === open) ?? null;
  const saved = (r: Rota) => {
    setOpen(r.id);
    setEditing(false);
    rotas.reload();
  };
  return (
    <section aria-labelledby="rotas-heading">
      <h2 id="rotas-heading">{t('admin.rotas')}</h2>
      <p class="hint">{t('rota.intro')}</p>
      {rotas.error && <AlertBox text={rotas.error} />}
      <table class="admin-table" data-testid="rota-table">
        <TableHead
          columns={[t('rota.name'), t('rota.handover'), t('rota.shiftDays'), t('rota.members'), t('rota.onCallNow')]}
          actions
        />
        <tbody>
          {mine.map((r) => (
            <tr key={r.id} data-rota-id={r.id} aria-current={r.id === open ? 'true' : undefined}>
              <td>{r.name}</td>
              <td>
                {r.handoverTime} ({r.timezone})
              </td>
              <td>{t('rota.everyNDays', { n: r.shiftDays })}</td>
              <td>{r.members.map((m) => names.get(m) ?? m).join(' → ') || t('rota.nobody')}</td>
              <td>
                <OnCallNow rota={r} names={names} />
              </td>
              <td>
                <button
                  type="button"
                  data-testid="rota-open"
                  aria-expanded={r.id === open}
                  onClick={() => {
                    setOpen(r.id === open ? null : r.id);
                    setEditing(false);
                  }}
                >
                  {t('rota.open', { name: r.name })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rotas.data && mine.length === 0 && <p class="empty">{t('rota.none')}</p>}
      {opened && (
        <section class="rota-detail" aria-label={opened.name} data-testid="rota-detail">
          <RotaWeek rota={opened} names={names} />
          {opened.overrides.length > 0 && (
            <>
              <h3>{t('rota.swaps')}</h3>
              <ul class="rota-swaps">
                {opened.overrides.map((o) => (
                  <li key={`${o.userId}:${o.from}`}>
                    {t('rota.swapLine', {
                      name: names.get(o.userId) ?? o.userId,
                      from: formatFullDateTime(toMillis(o.from), opened.timezone, uiLocale.value),
                      to: formatFullDateTime(toMillis(o.to), opened.timezone, uiLocale.value),
                    })}
                  </li>
                ))}
              </ul>
            </>
          )}
          {editing ? (
            <RotaForm
              orgId={orgId}
              rota={opened}
              people={people}
              names={names}
              onSaved={saved}
              onCancel={() => setEditing(false)}
            />
          ) : (
            <button type="button" data-testid="rota-edit" onClick={() => setEditing(true)}>
              {t('rota.edit')}
            </button>
          )}
          <SwapForm rota={opened} people={people} onSaved={saved} />
        </section>
      )}
      <RotaForm orgId={orgId} rota={null} people={people} names={names} onSaved={saved} onCancel={() => {}} />
    </section>
  );
}
