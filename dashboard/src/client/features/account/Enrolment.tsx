/**
 * Enrolling the second factor: the key to type into the authenticator app (and the otpauth URI
 * as a link, which a phone opens in its app), a code to confirm, then the recovery codes, once.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { accountApi } from './api.ts';

export function Enrolment({ onDone }: { onDone: () => void }) {
  const [secret, setSecret] = useState<{ key: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);
  const nextRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    accountApi.enrolTotp().then(
      (e) => {
        setSecret({ key: e.secret.replace(/(.{4})/g, '$1 ').trim(), uri: e.otpauthUri });
        codeRef.current?.focus();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);
  useEffect(() => nextRef.current?.focus(), [recoveryCodes]);

  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    accountApi.confirmTotp(code.trim()).then(
      (r) => setRecoveryCodes(r.recoveryCodes),
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof ApiError && err.status === 400 ? t('login.codeInvalid') : errorMessage(err));
        codeRef.current?.select();
      },
    );
  };

  if (recoveryCodes)
    return (
      <main id="main" class="login">
        <div class="login-form" data-testid="enrol-form">
          <h1 id="enrol-heading">{t('enrol.recoveryHeading')}</h1>
          <p>{t('enrol.recoveryIntro')}</p>
          <ul class="recovery-codes" data-testid="recovery-codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button ref={nextRef} type="button" onClick={onDone}>
            {t('enrol.continue')}
          </button>
        </div>
      </main>
    );

  return (
    <main id="main" class="login">
      <form class="login-form" data-testid="enrol-form" noValidate aria-labelledby="enrol-heading" onSubmit={submit}>
        <h1 id="enrol-heading">{t('enrol.heading')}</h1>
        <p>{t('enrol.intro')}</p>
        <p>
          {t('enrol.key')}:{' '}
          <code class="totp-key" data-testid="totp-key">
            {secret?.key}
          </code>
        </p>
        <p>
          <a class="totp-link" href={secret?.uri ?? '#'}>
            otpauth://
          </a>
        </p>
        <label for="enrol-code">{t('login.code')}</label>
        <input
          ref={codeRef}
          id="enrol-code"
          name="code"
          type="text"
          inputMode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          required
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
        />
        <div class="login-error" aria-live="assertive">
          {error && <AlertBox text={error} />}
        </div>
        <button type="submit" disabled={busy}>
          {t('enrol.submit')}
        </button>
      </form>
    </main>
  );
}
