/** Hash routes of the single-page app: `#/` (wall) and `#/patients/{id}?range=24h`. */

export const RANGES = { '6h': 6 * 3600, '24h': 24 * 3600, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];
export const DEFAULT_RANGE: RangeKey = '24h';

export type Route = { page: 'wall' } | { page: 'patient'; id: string; range: RangeKey } | { page: 'notFound' };

function isRange(value: string | null): value is RangeKey {
  return value !== null && Object.hasOwn(RANGES, value);
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2);
  if (path === '' || path === '/') return { page: 'wall' };
  const m = /^\/patients\/([^/]+)\/?$/.exec(path);
  if (!m) return { page: 'notFound' };
  let id: string;
  try {
    id = decodeURIComponent(m[1] as string);
  } catch {
    return { page: 'notFound' };
  }
  const range = new URLSearchParams(query).get('range');
  return { page: 'patient', id, range: isRange(range) ? range : DEFAULT_RANGE };
}

export function patientHref(id: string, range?: RangeKey): string {
  const base = `#/patients/${encodeURIComponent(id)}`;
  return range && range !== DEFAULT_RANGE ? `${base}?range=${range}` : base;
}
