/**
 * Sessions on every request: the `auth` plugin reads the caller's token (Bearer header or the
 * session cookie) and sets `request.user` and `request.sessionId`. Not encapsulated, registered
 * before any route, so it covers them all; routes then demand what they need (requireUser,
 * requireAdmin). Tokens are random; only their hash is stored.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashSecret } from '../../auth/secrets.ts';
import { forbidden, unauthorized } from '../../errors.ts';
import { findSessionUser, membershipsOf } from '../../storage/repos/people.ts';
import { type AuthUser, toAuthUser } from '../context.ts';

export const SESSION_COOKIE = 'vitals_session';

declare module 'fastify' {
  interface FastifyInstance {
    /** How long a login lasts (VITALS_SESSION_TTL_SECONDS). */
    sessionTtlSeconds: number;
  }
}

// Tokens are 43 characters (newSecret); anything much longer is not one of ours.
const MAX_TOKEN_LENGTH = 256;

/**
 * The session token of a request, from `Authorization: Bearer` or the session cookie. Never
 * throws, whatever the header holds (issue 11 item 9: a malformed cookie gave 500 on every
 * route): unusable values count as no token, so the caller gets 401 where a login is needed.
 */
export function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return usable(h.slice(7).trim());
  const cookie = req.headers.cookie;
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    try {
      return usable(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      return null; // malformed percent-encoding
    }
  }
  return null;
}

function usable(token: string): string | null {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH ? token : null;
}

export function requireUser(req: FastifyRequest): AuthUser {
  if (!req.user) throw unauthorized();
  return req.user;
}

/** Organisations the user administers; throws when there are none. */
export function requireAdmin(req: FastifyRequest): AuthUser {
  const u = requireUser(req);
  if (!u.memberships.some((m) => m.role === 'admin')) throw forbidden('this needs an administrator of an organisation');
  return u;
}

export const authPlugin = fp<{ sessionTtlSeconds: number }>(
  async (app, o) => {
    app.decorate('sessionTtlSeconds', o.sessionTtlSeconds);
    app.decorateRequest('user', null);
    app.decorateRequest('sessionId', null);
    app.addHook('onRequest', async (req) => {
      const token = tokenOf(req);
      if (!token) return;
      const sessionId = hashSecret(token);
      const u = await findSessionUser(app.sql, sessionId);
      if (!u) return;
      req.user = toAuthUser(u, await membershipsOf(app.sql, u.id));
      req.sessionId = sessionId;
    });
  },
  { name: 'auth', fastify: '5.x', dependencies: ['database'] },
);
