/**
 * The app: checks the session, then shows the sign-in (and the enrolment of a second factor when
 * the account must have one), or the signed-in shell with the page of the current hash route.
 */
import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, type Me, sessionApi, setUnauthorizedHandler } from '../api.ts';
import { AcceptInvitation } from '../features/account/AcceptInvitation.tsx';
import { accountApi } from '../features/account/api.ts';
import { Enrolment } from '../features/account/Enrolment.tsx';
import { SignIn } from '../features/account/SignIn.tsx';
import { DEFAULT_LOCALE, type Locale, setCurrentLocale, storedLocale, t } from '../i18n.ts';
import { parseRoute } from '../routes.ts';
import { openReadingStream } from '../stream.ts';
import { AlertBox } from '../ui/AlertBox.tsx';
import { errorMessage } from '../ui/errors.ts';
import { Header } from './Header.tsx';
import { Shell } from './Shell.tsx';
import { attachStream, currentUser } from './session.ts';

type Phase =
  | { kind: 'booting' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signIn' }
  | { kind: 'invitation'; token: string }
  | { kind: 'enrol' }
  | { kind: 'signedIn'; user: Me };

const phase = signal<Phase>({ kind: 'booting' });
const BOOT_RETRY_MS = 10_000;

function chooseLocale(account?: Locale): Locale {
  return storedLocale(window.localStorage) ?? account ?? DEFAULT_LOCALE;
}

let detach: (() => void) | null = null;
let closeStream: (() => void) | null = null;

function endSession(): void {
  detach?.();
  closeStream?.();
  detach = closeStream = null;
  currentUser.value = null;
}

function startSession(user: Me): void {
  endSession();
  setCurrentLocale(chooseLocale(user.locale));
  const stream = openReadingStream('/api/v1/stream', async () => {
    try {
      await sessionApi.me();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
  });
  closeStream = () => stream.close();
  detach = attachStream(stream);
  currentUser.value = user;
  phase.value = { kind: 'signedIn', user };
}

export function showSignIn(): void {
  endSession();
  setCurrentLocale(chooseLocale());
  phase.value = { kind: 'signIn' };
}

/** `#/kiosk/{token}`: a wall display signs in with its credential, which then leaves the address bar. */
async function kioskSignIn(): Promise<void> {
  const route = parseRoute(window.location.hash);
  if (route.page !== 'kiosk') return;
  window.history.replaceState(null, '', `${window.location.pathname}#/`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
  await accountApi.displaySignIn(route.token);
}

async function boot(): Promise<void> {
  setCurrentLocale(chooseLocale());
  try {
    await kioskSignIn();
    const route = parseRoute(window.location.hash);
    if (route.page === 'invitation') {
      phase.value = { kind: 'invitation', token: route.token };
      return;
    }
    const me = await sessionApi.me();
    if (me.mfa?.sessionLimitedToEnrolment) {
      setCurrentLocale(chooseLocale(me.locale));
      phase.value = { kind: 'enrol' };
    } else startSession(me);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showSignIn();
    // A wall screen has nobody to press reload: try again until the server answers.
    phase.value = { kind: 'unreachable', message: errorMessage(err) };
    setTimeout(() => void boot(), BOOT_RETRY_MS);
  }
}

setUnauthorizedHandler(() => {
  if (phase.value.kind !== 'signIn') showSignIn();
});

export function App() {
  useEffect(() => {
    void boot();
  }, []);
  const p = phase.value;
  switch (p.kind) {
    case 'booting':
      return <p class="page-status">{t('page.loading')}</p>;
    case 'unreachable':
      return <AlertBox text={p.message} />;
    case 'signIn':
      return (
        <>
          <Header />
          <SignIn
            onSignedIn={(mustEnrol) => {
              if (mustEnrol) phase.value = { kind: 'enrol' };
              else void boot();
            }}
          />
        </>
      );
    case 'invitation':
      return (
        <>
          <Header />
          <AcceptInvitation token={p.token} onDone={() => void boot()} />
        </>
      );
    case 'enrol':
      return (
        <>
          <Header />
          <Enrolment onDone={() => void boot()} />
        </>
      );
    case 'signedIn':
      return <Shell user={p.user} onSignOut={showSignIn} />;
    default:
      return p satisfies never;
  }
}
