/**
 * The dashboard app: checks the session, then shows the login form or the signed-in shell
 * (header with the live connection state, and the page of the current hash route).
 */

import { ApiError, api, setUnauthorizedHandler, type User } from './api.ts';
import { h } from './dom.ts';
import { createFrameScheduler } from './frame-scheduler.ts';
import { currentLocale, DEFAULT_LOCALE, type Locale, setCurrentLocale, storedLocale, storeLocale, t } from './i18n.ts';
import { enrolmentPage, loginPage, type SignedIn } from './pages/login.ts';
import { alertBox, errorMessage, type Page, type PageContext } from './pages/page.ts';
import { patientPage } from './pages/patient.ts';
import { wallPage } from './pages/wall.ts';
import { enablePush, type PushState, pushState } from './push.ts';
import { parseRoute } from './routes.ts';
import { type ConnectionState, openReadingStream, type ReadingStream } from './stream.ts';

const root = document.getElementById('app') ?? document.body;
const scheduler = createFrameScheduler();
const BOOT_RETRY_MS = 10_000;

interface Session {
  user: User;
  stream: ReadingStream;
  page: Page | null;
  main: HTMLElement;
  unsubscribeState: () => void;
}
let session: Session | null = null;

function chooseLocale(account?: Locale): Locale {
  return storedLocale(window.localStorage) ?? account ?? DEFAULT_LOCALE;
}

function languageToggle(): HTMLElement {
  const other: Locale = currentLocale() === 'ja' ? 'en' : 'ja';
  const button = h(
    'button',
    { type: 'button', class: 'language', lang: other, 'aria-label': `${t('nav.language')}: ${t('nav.otherLanguage')}` },
    t('nav.otherLanguage'),
  );
  button.addEventListener('click', () => {
    storeLocale(window.localStorage, other);
    setCurrentLocale(other);
    if (session) renderShell(session);
    else showLogin();
  });
  return button;
}

const CONNECTION_GLYPH: Record<ConnectionState, string> = { live: '●', connecting: '○', reconnecting: '◌' };

function renderConnection(el: HTMLElement, state: ConnectionState): void {
  el.dataset.state = state;
  el.replaceChildren(h('span', { 'aria-hidden': 'true' }, CONNECTION_GLYPH[state]), ` ${t(`connection.${state}`)}`);
}

function endSession(): void {
  if (!session) return;
  session.page?.dispose();
  session.unsubscribeState();
  session.stream.close();
  session = null;
}

function showLogin(): void {
  endSession();
  setCurrentLocale(chooseLocale());
  document.title = t('app.title');
  root.replaceChildren(
    h('header', { class: 'app-header' }, h('span', { class: 'brand' }, t('app.title')), languageToggle()),
    loginPage(currentLocale(), signedIn),
  );
}

function signedIn(done: SignedIn): void {
  if (done.mustEnrol) showEnrolment(done.user);
  else startSession(done.user);
}

/** A session limited to enrolling the second factor: nothing else works until it is done. */
function showEnrolment(user: User): void {
  endSession();
  setCurrentLocale(chooseLocale(user.locale));
  root.replaceChildren(
    h('header', { class: 'app-header' }, h('span', { class: 'brand' }, t('app.title')), languageToggle()),
    enrolmentPage(currentLocale(), () => startSession(user)),
  );
}

function startSession(user: User): void {
  endSession();
  setCurrentLocale(chooseLocale(user.locale));
  const stream = openReadingStream('/api/v1/stream', async () => {
    try {
      await api.me();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
  });
  session = { user, stream, page: null, main: h('main'), unsubscribeState: () => {} };
  renderShell(session);
}

/** Opt-in to Web Push pages on this device; hidden where the browser or the server cannot. */
function pushButton(): HTMLElement {
  const button = h('button', { type: 'button', class: 'push', hidden: true }, t('push.enable'));
  const show = (state: PushState) => {
    button.hidden = state === 'unsupported' || state === 'unavailable';
    button.textContent = state === 'on' ? t('push.on') : state === 'denied' ? t('push.denied') : t('push.enable');
    (button as HTMLButtonElement).disabled = state === 'on' || state === 'denied';
  };
  pushState().then(show, () => show('unavailable'));
  button.addEventListener('click', () => {
    enablePush().then(show, (err: unknown) => {
      button.textContent = t('push.failed', { message: err instanceof Error ? err.message : String(err) });
    });
  });
  return button;
}

function renderShell(s: Session): void {
  s.unsubscribeState();
  const connection = h('p', { class: 'connection', 'data-testid': 'connection-state', role: 'status' });
  renderConnection(connection, s.stream.state());
  s.unsubscribeState = s.stream.onState((state) => renderConnection(connection, state));

  const logout = h('button', { type: 'button', class: 'logout' }, t('nav.logout'));
  logout.addEventListener('click', () => {
    api.logout().then(showLogin, showLogin);
  });
  const skip = h('a', { class: 'skip-link', href: '#main' }, t('app.skipToContent'));
  // The hash is the route, so the skip link moves focus itself instead of changing the hash.
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    s.main.focus();
  });

  s.main = h('main', { id: 'main', tabindex: '-1' });
  root.replaceChildren(
    skip,
    h(
      'header',
      { class: 'app-header' },
      h('a', { class: 'brand', href: '#/' }, t('app.title')),
      h('nav', { 'aria-label': t('app.title') }, h('a', { href: '#/' }, t('nav.wall'))),
      connection,
      h('span', { class: 'user' }, t('nav.signedInAs', { name: s.user.displayName })),
      pushButton(),
      languageToggle(),
      logout,
    ),
    s.main,
  );
  renderRoute(s);
}

function renderRoute(s: Session): void {
  s.page?.dispose();
  s.page = null;
  const route = parseRoute(window.location.hash);
  const ctx: PageContext = { stream: s.stream, scheduler, locale: currentLocale() };
  switch (route.page) {
    case 'wall':
      document.title = `${t('wall.heading')} — ${t('app.title')}`;
      s.page = wallPage(ctx);
      break;
    case 'patient':
      s.page = patientPage(ctx, route);
      break;
    case 'notFound':
      s.page = { element: alertBox(t('page.notFound')), dispose: () => {} };
      break;
    default:
      route satisfies never;
  }
  s.main.replaceChildren(s.page?.element ?? '');
}

window.addEventListener('hashchange', () => {
  if (session) renderRoute(session);
});
setUnauthorizedHandler(() => {
  if (session || !root.querySelector('[data-testid="login-form"]')) showLogin();
});

async function boot(): Promise<void> {
  setCurrentLocale(chooseLocale());
  root.replaceChildren(h('p', { class: 'page-status' }, t('page.loading')));
  try {
    const me = await api.me();
    if (me.mfa?.sessionLimitedToEnrolment) showEnrolment(me);
    else startSession(me);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // the unauthorized handler shows the login form
    // A wall screen has nobody to press reload: try again until the server answers.
    root.replaceChildren(alertBox(errorMessage(currentLocale(), err)));
    setTimeout(() => void boot(), BOOT_RETRY_MS);
  }
}

void boot();
