/**
 * Sessions on every request: the `auth` plugin reads the caller's token (Bearer header or the
 * session cookie) and sets `request.user` and `request.sessionId`. Not encapsulated, registered
 * before any route, so it covers them all; routes then demand what they need (requireUser,
 * requireAdmin). Tokens are random; only their hash is stored. A session ends at its absolute
 * lifetime or after being idle (issue 13); a session limited to enrolling a second factor reaches
 * only the routes that declare `config.duringMfaEnrolment`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hashSecret } from '../../auth/secrets.ts';
import { AppError, forbidden, unauthorized } from '../../errors.ts';
import { membershipsOf } from '../../storage/repos/people.ts';
import { deleteSessionsOfUser, findLiveSession } from '../../storage/repos/sessions.ts';
import { wallDisplaySettings } from '../../storage/repos/wall-displays.ts';
import { type AuthUser, toAuthUser } from '../context.ts';

export const SESSION_COOKIE = 'vitals_session';

/** Sign-in and session settings (config.ts; docs/security.md "Sign-in"). */
export interface SignInSettings {
  /** Absolute lifetime of a session. */
  sessionTtlSeconds: number;
  /** A session unused this long ends. */
  sessionIdleMinutes: number;
  /** Administrators must have a second factor (VITALS_ADMIN_MFA). */
  adminMfa: boolean;
  /**
   * The administrator the environment creates (VITALS_ADMIN_EMAIL): exempt from mandatory
   * enrolment so that automated set-up works as the contract says (it gets a second factor with
   * VITALS_ADMIN_TOTP_SECRET); every other administrator must enrol.
   */
  bootstrapAdminEmail?: string;
  invitationHours: number;
  /** Sign-in requests per address per minute, per instance (@fastify/rate-limit). */
  loginAttemptsPerMinute: number;
  /** VITALS_TRUST_PROXY: addresses, CIDRs or a hop count of the TLS-terminating proxy. */
  trustProxy?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** How long a login lasts at most (VITALS_SESSION_TTL). */
    sessionTtlSeconds: number;
    signIn: SignInSettings;
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

/** Whether the administrator rule applies to this account (not to the environment's bootstrap administrator). */
export function adminMfaFor(s: Pick<SignInSettings, 'adminMfa' | 'bootstrapAdminEmail'>, email: string): boolean {
  return s.adminMfa && email.toLowerCase() !== s.bootstrapAdminEmail?.toLowerCase();
}

/**
 * Ends a person's sessions (all, or all but `keepSessionId`) on every instance at once: the rows go,
 * and open live streams hear `session.ended`. Answers how many ended, for the audit row.
 */
export async function endSessionsOf(app: FastifyInstance, userId: string, keepSessionId?: string): Promise<number> {
  const ended = await deleteSessionsOfUser(app.sql, userId, keepSessionId);
  for (const sessionId of ended) app.events.publish('session.ended', { sessionId });
  return ended.length;
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

const readOnly = (req: FastifyRequest) => req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';

/** Is this a route a session limited to enrolment may call? Only API routes are limited. */
function limitedInEnrolment(req: FastifyRequest): boolean {
  if (req.routeOptions.config.duringMfaEnrolment) return false;
  return req.url.startsWith('/api/') || req.url.startsWith('/fhir/');
}

export const authPlugin = fp<SignInSettings>(
  async (app, o) => {
    app.decorate('sessionTtlSeconds', o.sessionTtlSeconds);
    app.decorate('signIn', o);
    app.decorateRequest('user', null);
    app.decorateRequest('sessionId', null);
    app.decorateRequest('sessionEnrolOnly', false);
    app.addHook('onRequest', async (req) => {
      const token = tokenOf(req);
      if (!token) return;
      const sessionId = hashSecret(token);
      const live = await findLiveSession(app.sql, sessionId, o.sessionIdleMinutes);
      if (!live) return;
      const display = live.user.kind === 'display' ? await wallDisplaySettings(app.sql, live.user.id) : undefined;
      req.user = toAuthUser(
        live.user,
        await membershipsOf(app.sql, live.user.id),
        adminMfaFor(o, live.user.email),
        display,
      );
      req.sessionId = sessionId;
      req.sessionEnrolOnly = live.session.enrol_only;
      // A wall display only shows: every change needs a person (docs/security.md, "Wall displays").
      if (live.user.kind === 'display' && !readOnly(req) && !req.routeOptions.config.wallDisplayMay)
        throw forbidden('a wall display can only show data; sign in as a person to change anything');
      if (live.session.enrol_only && limitedInEnrolment(req))
        throw new AppError(
          'mfa_enrolment_required',
          'your account needs a second factor before you can use this: enrol one (POST /api/v1/auth/totp/enrol, then /api/v1/auth/totp/confirm with a code from your authenticator app)',
        );
    });
  },
  { name: 'auth', fastify: '5.x', dependencies: ['database'] },
);
