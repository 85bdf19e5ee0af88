/** The login form. Any call answering 401 brings the app back here. */
import type { User } from '../api.ts';
import { ApiError, api } from '../api.ts';
import { h } from '../dom.ts';
import { type Locale, translate } from '../i18n.ts';
import { alertBox, errorMessage } from './page.ts';

export function loginPage(locale: Locale, onLoggedIn: (user: User) => void): HTMLElement {
  const tr = (key: Parameters<typeof translate>[1]) => translate(locale, key);
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
  const submit = h('button', { type: 'submit' }, tr('login.submit'));
  const error = h('div', { class: 'login-error', 'aria-live': 'assertive' });
  const form = h(
    'form',
    { class: 'login-form', 'data-testid': 'login-form', novalidate: true, 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, tr('login.heading')),
    h('label', { for: 'login-email' }, tr('login.email')),
    email,
    h('label', { for: 'login-password' }, tr('login.password')),
    password,
    error,
    submit,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.replaceChildren();
    if (!email.value.trim() || !password.value) {
      error.replaceChildren(alertBox(tr('login.missing')));
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = tr('login.submitting');
    api.login(email.value.trim(), password.value).then(
      ({ user }) => onLoggedIn(user),
      (err: unknown) => {
        submit.disabled = false;
        submit.textContent = tr('login.submit');
        const invalid = err instanceof ApiError && (err.status === 401 || err.status === 400);
        error.replaceChildren(alertBox(invalid ? tr('login.invalid') : errorMessage(locale, err)));
        password.select();
      },
    );
  });
  queueMicrotask(() => email.focus());
  return h('main', { id: 'main', class: 'login' }, form);
}
