/**
 * Sign-in: email and password, then the code of the authenticator app when the account has a
 * second factor (`autocomplete="one-time-code"`, shared/CONTRACT.md "Dashboard hooks"). Any call
 * answering 401 brings the app back here.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { type MessageKey, t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { accountApi, type LoginAnswer } from './api.ts';

/** After the password (and code): a full session, or the enrolment of a second factor first. */
export function SignIn({ onSignedIn }: { onSignedIn: (mustEnrol: boolean) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  /** Set while the second step is shown. */
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    (mfaToken ? codeRef : emailRef).current?.focus();
  }, [mfaToken]);

  const failed = (err: unknown, step: 'password' | 'code') => {
    setBusy(false);
    if (err instanceof ApiError && err.status === 429) return setError(t('login.locked'));
    if (step === 'code' && err instanceof ApiError && err.status === 401 && /expired/.test(err.message)) {
      setMfaToken(null);
      setPassword('');
      setError(t('login.expired'));
      return;
    }
    const invalid = err instanceof ApiError && (err.status === 401 || err.status === 400);
    const key: MessageKey = step === 'code' ? 'login.codeInvalid' : 'login.invalid';
    setError(invalid ? t(key) : errorMessage(err));
    (step === 'code' ? codeRef : passwordRef).current?.select();
  };
  const answered = (a: LoginAnswer) => {
    if ('mfaToken' in a) {
      setBusy(false);
      setCode('');
      setMfaToken(a.mfaToken);
      return;
    }
    onSignedIn(a.mfaEnrolmentRequired === true);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    if (mfaToken) {
      if (!code.trim()) {
        setError(t('login.codeMissing'));
        codeRef.current?.focus();
        return;
      }
      setBusy(true);
      accountApi.loginMfa(mfaToken, code.trim()).then(answered, (err: unknown) => failed(err, 'code'));
      return;
    }
    if (!email.trim() || !password) {
      setError(t('login.missing'));
      (email.trim() ? passwordRef : emailRef).current?.focus();
      return;
    }
    setBusy(true);
    accountApi.login(email.trim(), password).then(answered, (err: unknown) => failed(err, 'password'));
  };

  return (
    <main id="main" class="login">
      <form class="login-form" data-testid="login-form" noValidate aria-labelledby="login-heading" onSubmit={submit}>
        <h1 id="login-heading">{t('login.heading')}</h1>
        <div class="login-fields">
          {mfaToken ? (
            <>
              <label for="login-code">{t('login.code')}</label>
              <input
                ref={codeRef}
                id="login-code"
                name="code"
                type="text"
                inputMode="numeric"
                autocomplete="one-time-code"
                maxLength={16}
                aria-describedby="login-code-hint"
                value={code}
                onInput={(e) => setCode(e.currentTarget.value)}
              />
              <p id="login-code-hint" class="hint">
                {t('login.codeHint')}
              </p>
            </>
          ) : (
            <>
              <label for="login-email">{t('login.email')}</label>
              <input
                ref={emailRef}
                id="login-email"
                name="email"
                type="email"
                autocomplete="username"
                required
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
              <label for="login-password">{t('login.password')}</label>
              <input
                ref={passwordRef}
                id="login-password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </>
          )}
        </div>
        <div class="login-error" aria-live="assertive">
          {error && <AlertBox text={error} />}
        </div>
        <button type="submit" disabled={busy}>
          {t(busy ? 'login.submitting' : 'login.submit')}
        </button>
      </form>
    </main>
  );
}
