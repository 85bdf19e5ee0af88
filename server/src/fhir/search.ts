/**
 * FHIR search parameters of the Observation search, parsed (pure): `date` and `_lastUpdated`
 * with their prefixes, `code` tokens, and the opaque page cursor of our `next` links.
 * Anything we cannot honour is an error the caller hears about, never silently ignored.
 */
import type { Metric } from '@vitals/contract';
import { metricsOfCode } from './codes.ts';

export class SearchError extends Error {
  constructor(
    message: string,
    readonly issue: 'invalid' | 'not-supported' = 'invalid',
  ) {
    super(message);
  }
}

export interface Bound {
  op: '>=' | '>' | '<' | '<=';
  at: Date;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** The instant range [start, end) a FHIR date or dateTime value stands for (dates in UTC). */
export function rangeOf(value: string): { start: Date; end: Date } {
  const d = DATE.exec(value);
  if (d) {
    const [y, m, day] = [Number(d[1]), d[2] ? Number(d[2]) : undefined, d[3] ? Number(d[3]) : undefined];
    if ((m !== undefined && (m < 1 || m > 12)) || (day !== undefined && (day < 1 || day > 31)))
      throw new SearchError(`${value} is not a date`);
    const start = Date.UTC(y, (m ?? 1) - 1, day ?? 1);
    const end =
      day !== undefined ? Date.UTC(y, m! - 1, day + 1) : m !== undefined ? Date.UTC(y, m, 1) : Date.UTC(y + 1, 0, 1);
    return { start: new Date(start), end: new Date(end) };
  }
  if (DATE_TIME.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return { start: new Date(t), end: new Date(t + 1) };
  }
  throw new SearchError(
    `${value} is not a FHIR date or dateTime (2026-11-24, or 2026-11-24T08:00:00Z with a time zone)`,
  );
}

const PREFIX = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/;

/** SQL bounds of one `date`/`_lastUpdated` value: `ge2026-11-01`, `lt2026-12-01T00:00:00Z`, `2026-11-24`. */
export function boundsOf(param: string, raw: string): Bound[] {
  const [, prefix = 'eq', value = ''] = PREFIX.exec(raw) ?? [];
  const r = (() => {
    try {
      return rangeOf(value);
    } catch (e) {
      throw new SearchError(`${param}: ${(e as Error).message}`);
    }
  })();
  switch (prefix) {
    case 'eq':
      return [
        { op: '>=', at: r.start },
        { op: '<', at: r.end },
      ];
    case 'ge':
      return [{ op: '>=', at: r.start }];
    case 'gt':
      return [{ op: '>=', at: r.end }];
    case 'lt':
      return [{ op: '<', at: r.start }];
    case 'le':
      return [{ op: '<', at: r.end }];
    default:
      throw new SearchError(
        `${param}: the prefix ${prefix} is not supported; use eq, ge, gt, lt or le`,
        'not-supported',
      );
  }
}

/** The metrics of a `code` parameter: comma-separated tokens, OR-ed. */
export function metricsOfCodes(values: readonly string[]): Metric[] {
  const out = new Set<Metric>();
  for (const v of values)
    for (const token of v.split(',')) {
      const ms = metricsOfCode(token.trim());
      if (!ms)
        throw new SearchError(
          `code ${token} is not a code of any Observation here (LOINC or MDC, e.g. http://loinc.org|8867-4)`,
        );
      for (const m of ms) out.add(m);
    }
  return [...out];
}

/** Where a page starts: after the Observation at this time with this anchor reading id. */
export interface Cursor {
  time: Date;
  anchor: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.time.getTime(), c.anchor])).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string')
      return { time: new Date(v[0] as number), anchor: v[1] };
  } catch {}
  throw new SearchError('_cursor is not one of ours: follow the next link as it is');
}
