/**
 * JSON has no Infinity, but schema validation coerces a string such as "1e400" into one (the app
 * coerces types), and a limit of Infinity would be stored as null. A preHandler hook for routes
 * whose bodies carry limits: such a number is a 400, as any other invalid value.
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
  const at = infiniteAt(req.body, 'body');
  if (at) throw badRequest(`${at} must be a finite number`);
}
