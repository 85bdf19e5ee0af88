/** `#/invitation/{token}`: the invited person chooses a password and is signed in. */
import { useState } from 'preact/hooks';
import { request } from '../../api.ts';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';

export function AcceptInvitation({ token, onDone }: { token: string; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    request<unknown>('POST', '/api/v1/auth/invitations/accept', { token, password }).then(
      () => {
        window.history.replaceState(null, '', `${window.location.pathname}#/`);
        onDone();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };
  return (
    <main id="main" class="login">
      <form class="login-form" data-testid="invitation-form" aria-labelledby="invitation-heading" onSubmit={submit}>
        <h1 id="invitation-heading">{t('account.invitationHeading')}</h1>
        <p>{t('account.invitationIntro')}</p>
        <label for="invitation-password">{t('account.newPassword')}</label>
        <input
          id="invitation-password"
          type="password"
          autocomplete="new-password"
          required
          minLength={12}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && <AlertBox text={error} />}
        <button type="submit">{t('account.invitationSubmit')}</button>
      </form>
    </main>
  );
}
