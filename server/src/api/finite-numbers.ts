/**
 * JSON has no Infinity, but JSON.parse reads 1e400 as one and schema validation coerces a string
 * such as "1e400" into one (the app coerces types); a limit of Infinity would be stored as null
 * and a count of Infinity reach the database. A preHandler hook for every route (errors-plugin.ts,
 * after validation): such a number anywhere in the body, query or params is a 400.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors.ts';

function infiniteAt(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path;
  if (depth > 16 || v === null || typeof v !== 'object') return undefined;
  for (const [k, x] of Object.entries(v)) {
    const p = infiniteAt(x, `${path}/${k}`, depth + 1);
    if (p) return p;
  }
  return undefined;
}

export async function refuseInfiniteNumbers(req: FastifyRequest): Promise<void> {
  const at = infiniteAt(req.body, 'body') ?? infiniteAt(req.query, 'query') ?? infiniteAt(req.params, 'params');
  if (at) throw badRequest(`${at} must be a finite number`);
}
