/**
 * Hash routes of the single-page app (a small hash router, no library): `#/` the ward board,
 * `#/alerts?view=mine|teams|all` the inbox, `#/alerts/{id}` one alert (notifications link there),
 * `#/patients/{id}?range=24h` a patient's record, `#/kiosk/{token}` a wall display signing in,
 * `#/admin/{section}` administration, `#/account` the user's own settings.
 */

export const RANGES = { '6h': 6 * 3600, '24h': 24 * 3600, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];
export const DEFAULT_RANGE: RangeKey = '24h';

export const INBOX_VIEWS = ['mine', 'teams', 'all'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];
export const DEFAULT_INBOX_VIEW: InboxView = 'teams';

export const ADMIN_SECTIONS = ['people', 'patients', 'rotas', 'gateways', 'devices', 'audit', 'network'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export type Route =
  | { page: 'wall' }
  | { page: 'patient'; id: string; range: RangeKey }
  | { page: 'alerts'; view: InboxView }
  | { page: 'alert'; id: string }
  | { page: 'kiosk'; token: string }
  | { page: 'admin'; section: AdminSection }
  | { page: 'account' }
  | { page: 'invitation'; token: string }
  | { page: 'notFound' };

function isRange(value: string | null): value is RangeKey {
  return value !== null && Object.hasOwn(RANGES, value);
}

function isInboxView(value: string | null): value is InboxView {
  return value !== null && (INBOX_VIEWS as readonly string[]).includes(value);
}

/** The one path parameter of `#/{prefix}/{id}`, decoded; null when the path is another or malformed. */
function idAfter(prefix: string, path: string): string | null {
  const m = new RegExp(`^/${prefix}/([^/]+)/?$`).exec(path);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1] as string);
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(query);
  if (path === '' || path === '/') return { page: 'wall' };
  if (path === '/alerts' || path === '/alerts/') {
    const view = params.get('view');
    return { page: 'alerts', view: isInboxView(view) ? view : DEFAULT_INBOX_VIEW };
  }
  // A wall display's link carries its credential in the fragment, which never reaches a server log.
  const kioskToken = idAfter('kiosk', path);
  if (kioskToken !== null) return { page: 'kiosk', token: kioskToken };
  if (path === '/account') return { page: 'account' };
  const invitation = idAfter('invitation', path);
  if (invitation !== null) return { page: 'invitation', token: invitation };
  if (path === '/admin' || path === '/admin/') return { page: 'admin', section: 'people' };
  const section = idAfter('admin', path);
  if (section !== null)
    return (ADMIN_SECTIONS as readonly string[]).includes(section)
      ? { page: 'admin', section: section as AdminSection }
      : { page: 'notFound' };
  const alertId = idAfter('alerts', path);
  if (alertId !== null) return { page: 'alert', id: alertId };
  const patientId = idAfter('patients', path);
  if (patientId !== null) {
    const range = params.get('range');
    return { page: 'patient', id: patientId, range: isRange(range) ? range : DEFAULT_RANGE };
  }
  return { page: 'notFound' };
}

export function patientHref(id: string, range?: RangeKey): string {
  const base = `#/patients/${encodeURIComponent(id)}`;
  return range && range !== DEFAULT_RANGE ? `${base}?range=${range}` : base;
}

export function alertHref(id: string): string {
  return `#/alerts/${encodeURIComponent(id)}`;
}

export function inboxHref(view: InboxView): string {
  return view === DEFAULT_INBOX_VIEW ? '#/alerts' : `#/alerts?view=${view}`;
}
