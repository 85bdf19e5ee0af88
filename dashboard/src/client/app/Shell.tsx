/**
 * The signed-in shell: skip link, header (navigation, live connection state, the user, Web Push
 * opt-in, language, sign-out), the offline banner, and the page of the hash route.
 */
import { signal } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Me, sessionApi } from '../api.ts';
import { AccountPage } from '../features/account/AccountPage.tsx';
import { AdminPage } from '../features/admin/AdminPage.tsx';
import { AlertPage } from '../features/alerts/AlertPage.tsx';
import { InboxPage } from '../features/alerts/InboxPage.tsx';
import { PatientPage } from '../features/patient/PatientPage.tsx';
import { WallPage } from '../features/wall/WallPage.tsx';
import { t, uiLocale } from '../i18n.ts';
import { enablePush, type PushState, pushState } from '../push.ts';
import { parseRoute, type Route } from '../routes.ts';
import type { ConnectionState } from '../stream.ts';
import { formatMeasurementTime } from '../time-format.ts';
import { AlertBox } from '../ui/AlertBox.tsx';
import { LanguageToggle } from './Header.tsx';
import { connection, notLiveSince, offline } from './session.ts';

const route = signal<Route>(parseRoute(window.location.hash));
window.addEventListener('hashchange', () => {
  route.value = parseRoute(window.location.hash);
});

const CONNECTION_GLYPH: Record<ConnectionState, string> = { live: '●', connecting: '○', reconnecting: '◌' };

function Connection() {
  const state = connection.value;
  return (
    <p class="connection" data-testid="connection-state" data-state={state} role="status">
      <span aria-hidden="true">{CONNECTION_GLYPH[state]}</span> {t(`connection.${state}`)}
    </p>
  );
}

function OfflineBanner() {
  if (!offline.value) return null;
  const since = notLiveSince.value ?? Date.now();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <p class="offline-banner" role="alert" data-testid="offline-banner">
      {t('ward.offline', { time: formatMeasurementTime(since, zone, uiLocale.value, Date.now()) })}
    </p>
  );
}

/** Opt-in to Web Push pages on this device; hidden where the browser or the server cannot. */
function PushButton() {
  const [state, setState] = useState<PushState | 'unknown'>('unknown');
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    pushState().then(setState, () => setState('unavailable'));
  }, []);
  const hidden = state === 'unknown' || state === 'unsupported' || state === 'unavailable';
  const label = failure ?? (state === 'on' ? t('push.on') : state === 'denied' ? t('push.denied') : t('push.enable'));
  return (
    <button
      type="button"
      class="push"
      hidden={hidden}
      disabled={state === 'on' || state === 'denied'}
      onClick={() =>
        enablePush().then(setState, (err: unknown) =>
          setFailure(t('push.failed', { message: err instanceof Error ? err.message : String(err) })),
        )
      }
    >
      {label}
    </button>
  );
}

function Page({ route: r }: { route: Route }) {
  switch (r.page) {
    case 'wall':
      return <WallPage />;
    case 'patient':
      return <PatientPage key={r.id} id={r.id} range={r.range} />;
    case 'alerts':
      return <InboxPage view={r.view} />;
    case 'alert':
      return <AlertPage key={r.id} id={r.id} />;
    case 'kiosk': // signed in already (App): the board
    case 'invitation': // accepted already, or someone else's link while signed in
      return <WallPage />;
    case 'admin':
      return <AdminPage section={r.section} />;
    case 'account':
      return <AccountPage />;
    case 'notFound':
      return <AlertBox text={t('page.notFound')} />;
    default:
      return r satisfies never;
  }
}

export function Shell({ user, onSignOut }: { user: Me; onSignOut: () => void }) {
  const main = useRef<HTMLElement>(null);
  const r = route.value;
  const current = (page: Route['page']) => (r.page === page ? 'page' : undefined);
  return (
    <>
      {/* The hash is the route, so skipping to the content moves focus instead of changing the hash. */}
      <button type="button" class="skip-link" onClick={() => main.current?.focus()}>
        {t('app.skipToContent')}
      </button>
      {user.kind === 'display' ? (
        // A wall display (kiosk): no person, no navigation, nothing to sign out of by accident.
        <header class="app-header kiosk" data-testid="kiosk-header">
          <span class="brand">{t('app.title')}</span>
          <span class="user">{user.displayName}</span>
          <Connection />
        </header>
      ) : (
        <header class="app-header">
          <a class="brand" href="#/">
            {t('app.title')}
          </a>
          <nav aria-label={t('nav.main')}>
            <a href="#/" aria-current={current('wall')}>
              {t('nav.wall')}
            </a>
            <a href="#/alerts" aria-current={current('alerts')}>
              {t('nav.alerts')}
            </a>
            {user.organisations.some((o) => o.role === 'admin') && (
              <a href="#/admin" aria-current={current('admin')}>
                {t('admin.heading')}
              </a>
            )}
            <a href="#/account" aria-current={current('account')}>
              {t('account.heading')}
            </a>
          </nav>
          <Connection />
          <span class="user">{t('nav.signedInAs', { name: user.displayName })}</span>
          <PushButton />
          <LanguageToggle />
          <button type="button" class="logout" onClick={() => sessionApi.logout().then(onSignOut, onSignOut)}>
            {t('nav.logout')}
          </button>
        </header>
      )}
      <OfflineBanner />
      <main id="main" tabIndex={-1} ref={main}>
        <Page route={user.kind === 'display' ? { page: 'wall' } : r} />
      </main>
    </>
  );
}
