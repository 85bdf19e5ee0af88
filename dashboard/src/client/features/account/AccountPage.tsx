/**
 * The user's own settings (`#/account`): profile, second factor (set it up with recovery codes),
 * signed-in sessions and the contacts pages go to (Web Push on this device: the header's button).
 */
import { useState } from 'preact/hooks';
import { type Answer, request } from '../../api.ts';
import { currentUser } from '../../app/session.ts';
import { t, uiLocale } from '../../i18n.ts';
import { formatFullDateTime } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { professionLabel } from '../admin/labels.ts';
import { Enrolment } from './Enrolment.tsx';

type Contact = Answer<'/api/v1/me/contacts'>[number];
type Session = Answer<'/api/v1/auth/sessions'>[number];

export function AccountPage() {
  const me = currentUser.value;
  const contacts = useLoad((signal) => request<Contact[]>('GET', '/api/v1/me/contacts', undefined, signal), []);
  const sessions = useLoad((signal) => request<Session[]>('GET', '/api/v1/auth/sessions', undefined, signal), []);
  const [enrolling, setEnrolling] = useState(false);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.title = `${t('account.heading')} — ${t('app.title')}`;
  if (!me) return null;

  const addEmail = (event: Event) => {
    event.preventDefault();
    setError(null);
    request<unknown>('POST', '/api/v1/me/contacts', { channel: 'email', address: email.trim() }).then(
      () => {
        setEmail('');
        contacts.reload();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };

  return (
    <section class="account" aria-labelledby="account-heading">
      <h1 id="account-heading">{t('account.heading')}</h1>
      <dl class="report">
        <dt>{t('admin.name')}</dt>
        <dd>{me.displayName}</dd>
        <dt>{t('admin.email')}</dt>
        <dd>{me.email}</dd>
        <dt>{t('admin.profession')}</dt>
        <dd>{professionLabel(me.profession)}</dd>
        <dt>{t('account.secondFactor')}</dt>
        <dd data-testid="mfa-status">{t(me.mfa.enrolled ? 'admin.mfaOn' : 'admin.mfaOff')}</dd>
      </dl>
      {!me.mfa.enrolled &&
        (enrolling ? (
          <Enrolment onDone={() => window.location.reload()} />
        ) : (
          <button type="button" onClick={() => setEnrolling(true)}>
            {t('account.setUpSecondFactor')}
          </button>
        ))}
      <h2>{t('account.contacts')}</h2>
      {contacts.error && <AlertBox text={contacts.error} />}
      <ul data-testid="contacts">
        {contacts.data?.map((c) => (
          <li key={c.id}>
            {c.channel}: {c.address}
            {c.label && ` (${c.label})`}
          </li>
        ))}
      </ul>
      <form class="admin-form" onSubmit={addEmail}>
        <Field id="contact-email" label={t('account.addEmail')}>
          <input
            id="contact-email"
            type="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <button type="submit">{t('account.add')}</button>
        {error && <AlertBox text={error} />}
      </form>
      <p class="hint">{t('account.pushHint')}</p>
      <h2>{t('account.sessions')}</h2>
      <ul data-testid="sessions">
        {sessions.data?.map((s) => (
          <li key={s.id}>
            {formatFullDateTime(Date.parse(s.createdAt), zone, uiLocale.value)}
            {s.ip && ` · ${s.ip}`}
            {s.current && ` · ${t('account.thisSession')}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
