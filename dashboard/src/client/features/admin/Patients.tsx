/**
 * Patients: register one (the caller joins the care team), and a patient's care team: who, in
 * which role and with which clearance; add a person (or a wall display) from the directory, remove.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n.ts';
import { patientHref } from '../../routes.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi, type TeamBody } from './api.ts';
import { professionLabel } from './labels.ts';
import { PatientSettings } from './PatientSettings.tsx';

type TeamRole = NonNullable<TeamBody['teamRole']>;
type Clearance = NonNullable<TeamBody['clearance']>;
const TEAM_ROLES: TeamRole[] = ['member', 'lead', 'attending_physician'];
const CLEARANCES: Clearance[] = ['team', 'clinical', 'restricted'];

export function Patients({ orgId }: { orgId: string }) {
  const patients = useLoad((signal) => adminApi.patients(signal), []);
  const [name, setName] = useState('');
  const [birthDate, setBirthDate] = useState('');
  const [selected, setSelected] = useState<string>('');
  const [error, setError] = useState<string | null>(null);

  const register = (event: Event) => {
    event.preventDefault();
    setError(null);
    adminApi
      .registerPatient({ displayName: name.trim(), organisationId: orgId, ...(birthDate ? { birthDate } : {}) })
      .then(
        (p) => {
          setName('');
          setBirthDate('');
          setSelected(p.id);
          patients.reload();
        },
        (err: unknown) => setError(errorMessage(err)),
      );
  };

  return (
    <section aria-labelledby="patients-heading">
      <h2 id="patients-heading">{t('admin.patients')}</h2>
      {patients.error && <AlertBox text={patients.error} />}
      <form class="admin-form" data-testid="register-patient-form" onSubmit={register}>
        <h3>{t('admin.registerPatient')}</h3>
        <Field id="patient-name" label={t('admin.name')}>
          <input id="patient-name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field id="patient-birth" label={t('admin.birthDate')}>
          <input
            id="patient-birth"
            type="date"
            value={birthDate}
            onInput={(e) => setBirthDate(e.currentTarget.value)}
          />
        </Field>
        <button type="submit">{t('admin.register')}</button>
        {error && <AlertBox text={error} />}
      </form>
      <Field id="team-patient" label={t('admin.careTeamOf')}>
        <select id="team-patient" value={selected} onChange={(e) => setSelected(e.currentTarget.value)}>
          <option value="">—</option>
          {patients.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.displayName}
            </option>
          ))}
        </select>
      </Field>
      {selected && <CareTeam key={selected} patientId={selected} />}
      {selected && <PatientSettings key={`settings-${selected}`} patientId={selected} />}
    </section>
  );
}

function CareTeam({ patientId }: { patientId: string }) {
  const team = useLoad((signal) => adminApi.team(patientId, signal), [patientId]);
  const people = useLoad((signal) => adminApi.people(signal), []);
  const [userId, setUserId] = useState('');
  const [teamRole, setTeamRole] = useState<TeamRole>('member');
  const [clearance, setClearance] = useState<Clearance | ''>('');
  const [error, setError] = useState<string | null>(null);
  const onTeam = new Set(team.data?.map((m) => m.userId));

  const add = (event: Event) => {
    event.preventDefault();
    setError(null);
    adminApi.addToTeam(patientId, { userId, teamRole, ...(clearance ? { clearance } : {}) }).then(
      () => {
        setUserId('');
        team.reload();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };

  return (
    <div class="care-team" data-testid="care-team">
      <p>
        <a href={patientHref(patientId)}>{t('admin.openRecord')}</a>
      </p>
      {team.error && <AlertBox text={team.error} />}
      <ul>
        {team.data?.map((m) => (
          <li key={m.userId} data-user-id={m.userId}>
            {m.displayName} — {professionLabel(m.profession)} · {t(`teamRole.${m.teamRole}`)} ·{' '}
            {t(`clearance.${m.clearance}`)}{' '}
            <button
              type="button"
              onClick={() =>
                adminApi
                  .removeFromTeam(patientId, m.userId)
                  .then(team.reload, (err: unknown) => setError(errorMessage(err)))
              }
            >
              {t('admin.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form class="admin-form" data-testid="add-member-form" onSubmit={add}>
        <Field id="member-person" label={t('admin.person')}>
          <select id="member-person" required value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
            <option value="">—</option>
            {people.data
              ?.filter((p) => !onTeam.has(p.id))
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName} ({p.kind === 'display' ? t('admin.wallDisplay') : professionLabel(p.profession)})
                </option>
              ))}
          </select>
        </Field>
        <Field id="member-role" label={t('admin.teamRole')}>
          <select id="member-role" value={teamRole} onChange={(e) => setTeamRole(e.currentTarget.value as TeamRole)}>
            {TEAM_ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`teamRole.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="member-clearance" label={t('admin.clearance')}>
          <select
            id="member-clearance"
            value={clearance}
            onChange={(e) => setClearance(e.currentTarget.value as Clearance | '')}
          >
            <option value="">{t('admin.clearanceDefault')}</option>
            {CLEARANCES.map((c) => (
              <option key={c} value={c}>
                {t(`clearance.${c}`)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">{t('admin.addMember')}</button>
        {error && <AlertBox text={error} />}
      </form>
    </div>
  );
}
