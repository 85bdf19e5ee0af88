/**
 * Sign-in: email and password, then the code of the authenticator app when the account has a
 * second factor (`autocomplete="one-time-code"`), and the enrolment of one when the account must
 * have it and has none yet (an administrator's first sign-in). Any call answering 401 brings the
 * app back here.
 */
import type { LoginAnswer, User } from '../api.ts';
import { ApiError, api } from '../api.ts';
import { h } from '../dom.ts';
import { type Locale, translate } from '../i18n.ts';
import { alertBox, errorMessage } from './page.ts';

type Key = Parameters<typeof translate>[1];

/** What happens after the password and code: a full session, or the enrolment first. */
export interface SignedIn {
  user: User;
  mustEnrol: boolean;
}

export function loginPage(locale: Locale, onLoggedIn: (done: SignedIn) => void): HTMLElement {
  const tr = (key: Key) => translate(locale, key);
  const email = h('input', {
    id: 'login-email',
    name: 'email',
    type: 'email',
    autocomplete: 'username',
    required: true,
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const code = h('input', {
    id: 'login-code',
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 16,
    'aria-describedby': 'login-code-hint',
  });
  const submit = h('button', { type: 'submit' }, tr('login.submit'));
  const error = h('div', { class: 'login-error', 'aria-live': 'assertive' });
  const credentials = [
    h('label', { for: 'login-email' }, tr('login.email')),
    email,
    h('label', { for: 'login-password' }, tr('login.password')),
    password,
  ];
  const codeStep = [
    h('label', { for: 'login-code' }, tr('login.code')),
    code,
    h('p', { id: 'login-code-hint', class: 'hint' }, tr('login.codeHint')),
  ];
  const fields = h('div', { class: 'login-fields' }, ...credentials);
  const form = h(
    'form',
    { class: 'login-form', 'data-testid': 'login-form', novalidate: true, 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, tr('login.heading')),
    fields,
    error,
    submit,
  );
  /** Set while the second step is shown. */
  let mfaToken: string | null = null;

  const busy = (on: boolean) => {
    submit.disabled = on;
    submit.textContent = tr(on ? 'login.submitting' : 'login.submit');
  };
  const toCredentials = (message: Key) => {
    mfaToken = null;
    fields.replaceChildren(...credentials);
    error.replaceChildren(alertBox(tr(message)));
    password.value = '';
    password.focus();
  };
  const failed = (err: unknown, step: 'password' | 'code') => {
    busy(false);
    if (err instanceof ApiError && err.status === 429) {
      error.replaceChildren(alertBox(tr('login.locked')));
      return;
    }
    if (step === 'code' && err instanceof ApiError && err.status === 401 && /expired/.test(err.message)) {
      toCredentials('login.expired');
      return;
    }
    const invalid = err instanceof ApiError && (err.status === 401 || err.status === 400);
    const key: Key = step === 'code' ? 'login.codeInvalid' : 'login.invalid';
    error.replaceChildren(alertBox(invalid ? tr(key) : errorMessage(locale, err)));
    (step === 'code' ? code : password).select();
  };
  const answered = (a: LoginAnswer) => {
    if ('mfaToken' in a) {
      busy(false);
      mfaToken = a.mfaToken;
      code.value = '';
      fields.replaceChildren(...codeStep);
      code.focus();
      return;
    }
    onLoggedIn({ user: a.user, mustEnrol: a.mfaEnrolmentRequired === true });
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (mfaToken) {
      if (!code.value.trim()) {
        error.replaceChildren(alertBox(tr('login.codeMissing')));
        code.focus();
        return;
      }
      busy(true);
      api.loginMfa(mfaToken, code.value.trim()).then(answered, (err: unknown) => failed(err, 'code'));
      return;
    }
    if (!email.value.trim() || !password.value) {
      error.replaceChildren(alertBox(tr('login.missing')));
      (email.value.trim() ? password : email).focus();
      return;
    }
    busy(true);
    api.login(email.value.trim(), password.value).then(answered, (err: unknown) => failed(err, 'password'));
  });
  queueMicrotask(() => email.focus());
  return h('main', { id: 'main', class: 'login' }, form);
}

/**
 * Enrolling the second factor: the key to type into the authenticator app (and the otpauth URI
 * as a link, which a phone opens in its app), a code to confirm, then the recovery codes, once.
 */
export function enrolmentPage(locale: Locale, onDone: () => void): HTMLElement {
  const tr = (key: Key) => translate(locale, key);
  const code = h('input', {
    id: 'enrol-code',
    name: 'code',
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    maxlength: 6,
    required: true,
  });
  const key = h('code', { class: 'totp-key', 'data-testid': 'totp-key' });
  const link = h('a', { class: 'totp-link', href: '#' }, 'otpauth://');
  const submit = h('button', { type: 'submit' }, tr('enrol.submit'));
  const error = h('div', { class: 'login-error', 'aria-live': 'assertive' });
  const form = h(
    'form',
    { class: 'login-form', 'data-testid': 'enrol-form', novalidate: true, 'aria-labelledby': 'enrol-heading' },
    h('h1', { id: 'enrol-heading' }, tr('enrol.heading')),
    h('p', {}, tr('enrol.intro')),
    h('p', {}, `${tr('enrol.key')}: `, key),
    h('p', {}, link),
    h('label', { for: 'enrol-code' }, tr('login.code')),
    code,
    error,
    submit,
  );
  api.enrolTotp().then(
    (e) => {
      key.textContent = e.secret.replace(/(.{4})/g, '$1 ').trim();
      link.setAttribute('href', e.otpauthUri);
      code.focus();
    },
    (err: unknown) => error.replaceChildren(alertBox(errorMessage(locale, err))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.replaceChildren();
    submit.disabled = true;
    api.confirmTotp(code.value.trim()).then(
      ({ recoveryCodes }) => {
        const next = h('button', { type: 'button' }, tr('enrol.continue'));
        next.addEventListener('click', onDone);
        form.replaceChildren(
          h('h1', { id: 'enrol-heading' }, tr('enrol.recoveryHeading')),
          h('p', {}, tr('enrol.recoveryIntro')),
          h(
            'ul',
            { class: 'recovery-codes', 'data-testid': 'recovery-codes' },
            ...recoveryCodes.map((c) => h('li', {}, h('code', {}, c))),
          ),
          next,
        );
        next.focus();
      },
      (err: unknown) => {
        submit.disabled = false;
        const invalid = err instanceof ApiError && err.status === 400;
        error.replaceChildren(alertBox(invalid ? tr('login.codeInvalid') : errorMessage(locale, err)));
        code.select();
      },
    );
  });
  return h('main', { id: 'main', class: 'login' }, form);
}
