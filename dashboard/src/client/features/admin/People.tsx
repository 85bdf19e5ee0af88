/**
 * People of an organisation the caller administers: who they are, role, second factor, pending
 * invitation, disabled; invite someone (the invitation link is shown once, to hand over), disable.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi, type InviteBody, PROFESSIONS } from './api.ts';
import { professionLabel } from './labels.ts';
import { TableHead } from './TableHead.tsx';

export function People({ orgId }: { orgId: string }) {
  const users = useLoad((signal) => adminApi.users(orgId, signal), [orgId]);
  const [form, setForm] = useState<InviteBody>({
    email: '',
    displayName: '',
    profession: 'nurse',
    role: 'staff',
    sendEmail: true,
  });
  const [link, setLink] = useState<string | null>(null);
  const [mailed, setMailed] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const invite = (event: Event) => {
    event.preventDefault();
    setError(null);
    adminApi.invite(orgId, { ...form, email: form.email.trim(), displayName: form.displayName.trim() }).then(
      (inv) => {
        setLink(`${window.location.origin}/#/invitation/${inv.invitation.token}`);
        setMailed(inv.emailQueued);
        setForm({ ...form, email: '', displayName: '' });
        users.reload();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };

  return (
    <section aria-labelledby="people-heading">
      <h2 id="people-heading">{t('admin.people')}</h2>
      {users.error && <AlertBox text={users.error} />}
      <table class="admin-table" data-testid="people-table">
        <TableHead
          columns={[t('admin.name'), t('admin.email'), t('admin.profession'), t('admin.role'), t('admin.status')]}
          actions
        />
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id} data-user-id={u.id}>
              <td>{u.displayName}</td>
              <td>{u.email}</td>
              <td>{professionLabel(u.profession)}</td>
              <td>{t(u.role === 'admin' ? 'admin.roleAdmin' : 'admin.roleStaff')}</td>
              <td>
                {[
                  u.disabled && t('admin.disabled'),
                  u.invitationPending && t('admin.invitationPending'),
                  t(u.mfaEnrolled ? 'admin.mfaOn' : 'admin.mfaOff'),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </td>
              <td>
                {!u.disabled && (
                  <button
                    type="button"
                    onClick={() => {
                      if (window.confirm(t('admin.disableConfirm', { name: u.displayName })))
                        adminApi.disable(orgId, u.id).then(users.reload, (err: unknown) => setError(errorMessage(err)));
                    }}
                  >
                    {t('admin.disable')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="admin-form" data-testid="invite-form" onSubmit={invite}>
        <h3>{t('admin.invite')}</h3>
        <Field id="invite-name" label={t('admin.name')}>
          <input
            id="invite-name"
            type="text"
            required
            value={form.displayName}
            onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })}
          />
        </Field>
        <Field id="invite-email" label={t('admin.email')}>
          <input
            id="invite-email"
            type="email"
            required
            value={form.email}
            onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
        </Field>
        <Field id="invite-profession" label={t('admin.profession')}>
          <select
            id="invite-profession"
            value={form.profession}
            onChange={(e) => setForm({ ...form, profession: e.currentTarget.value as InviteBody['profession'] })}
          >
            {PROFESSIONS.map((p) => (
              <option key={p} value={p}>
                {professionLabel(p)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="invite-role" label={t('admin.role')}>
          <select
            id="invite-role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value === 'admin' ? 'admin' : 'staff' })}
          >
            <option value="staff">{t('admin.roleStaff')}</option>
            <option value="admin">{t('admin.roleAdmin')}</option>
          </select>
        </Field>
        <label class="check">
          <input
            type="checkbox"
            data-testid="invite-send-email"
            checked={form.sendEmail === true}
            onChange={(e) => setForm({ ...form, sendEmail: e.currentTarget.checked })}
          />{' '}
          {t('admin.inviteSendEmail')}
        </label>
        <button type="submit">{t('admin.inviteSubmit')}</button>
        {error && <AlertBox text={error} />}
        {link && (
          <div role="status" class="once">
            {mailed === true && <p data-testid="invitation-mailed">{t('admin.invitationMailed')}</p>}
            {mailed === false && <p data-testid="invitation-not-mailed">{t('admin.invitationNotMailed')}</p>}
            <p>
              {t('admin.invitationLink')} <code data-testid="invitation-link">{link}</code>
            </p>
          </div>
        )}
      </form>
    </section>
  );
}
