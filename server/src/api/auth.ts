/** Login, logout, sessions. Tokens are random; only their hash is stored. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashSecret, newSecret, verifyPassword } from '../auth/secrets.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import { audit } from '../storage/repos/audit.ts';
import {
  createSession,
  deleteSession,
  findSessionUser,
  findUserByEmail,
  membershipsOf,
} from '../storage/repos/people.ts';
import { type AuthUser, toAuthUser } from './context.ts';

export const SESSION_COOKIE = 'vitals_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** The stored hash of the caller's session token, when the request carries a live session. */
    sessionId: string | null;
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

// A constant hash to compare against when the email is unknown, so timing does not reveal accounts.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function authRoutes(app: FastifyInstance) {
  const { sql } = app.deps;

  app.decorateRequest('user', null);
  app.decorateRequest('sessionId', null);
  app.addHook('onRequest', async (req) => {
    const token = tokenOf(req);
    if (!token) return;
    const sessionId = hashSecret(token);
    const u = await findSessionUser(sql, sessionId);
    if (!u) return;
    req.user = toAuthUser(u, await membershipsOf(sql, u.id));
    req.sessionId = sessionId;
  });

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email: { type: 'string', maxLength: 320 }, password: { type: 'string', maxLength: 1024 } },
        },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body as { email: string; password: string };
      const u = await findUserByEmail(sql, email);
      const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH);
      if (!u || !ok || u.disabled_at) {
        await audit(sql, { action: 'auth.login_failed', target: email.slice(0, 320), ip: req.ip });
        throw new AppError('unauthorized', 'email or password is wrong');
      }
      const token = newSecret();
      await createSession(sql, hashSecret(token), u.id, app.deps.sessionTtlSeconds, req.ip);
      await audit(sql, { userId: u.id, action: 'auth.login', ip: req.ip });
      const secure = req.protocol === 'https' ? '; Secure' : '';
      reply.header(
        'set-cookie',
        `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${app.deps.sessionTtlSeconds}${secure}`,
      );
      const user = toAuthUser(u, await membershipsOf(sql, u.id));
      return { token, user: { id: user.id, displayName: user.displayName, email: user.email, locale: user.locale } };
    },
  );

  app.post('/api/v1/auth/logout', async (req, reply) => {
    const token = tokenOf(req);
    if (token) {
      const sessionId = hashSecret(token);
      await deleteSession(sql, sessionId);
      // Open live streams of this session end now, not at their next check (issue 11 item 11).
      app.deps.bus.publish('session.ended', { sessionId });
    }
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.code(204).send();
  });

  app.get('/api/v1/me', async (req) => {
    const u = requireUser(req);
    return {
      id: u.id,
      displayName: u.displayName,
      email: u.email,
      locale: u.locale,
      profession: u.profession,
      organisations: u.memberships,
    };
  });
}
