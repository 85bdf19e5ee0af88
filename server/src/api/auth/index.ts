/**
 * Sign-in (issue 13; MHLW guideline v6.0, OWASP ASVS 4.0 L2 V2 and V3): password, then the second
 * factor when the account has one; invitations and resets; the caller's sessions, password and
 * TOTP enrolment. Every decision is audited (`auth.*`). Schemas in ./schemas.ts; the per-account
 * lock-out state is in the database (storage/repos/sign-in.ts), the per-address limit is
 * @fastify/rate-limit on the three sign-in routes.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { passwordProblem } from '../../auth/password-policy.ts';
import { hashPassword, hashSecret, newSecret, verifyPassword } from '../../auth/secrets.ts';
import {
  acceptedTotpStep,
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  otpauthUri,
} from '../../auth/totp.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { invitationState, useInvitation } from '../../storage/repos/invitations.ts';
import { findUser, findUserByEmail, membershipsOf, setPassword, type UserRow } from '../../storage/repos/people.ts';
import {
  createSession,
  deleteSession,
  deleteSessionOfUser,
  liftEnrolmentLimit,
  listSessions,
} from '../../storage/repos/sessions.ts';
import {
  acceptTotpStep,
  clearLoginFailures,
  createMfaChallenge,
  deleteMfaChallenge,
  findMfaChallenge,
  lockedUntil,
  recordLoginFailure,
  replaceRecoveryCodes,
  setPendingTotpSecret,
  unusedRecoveryCodes,
  useRecoveryCode,
} from '../../storage/repos/sign-in.ts';
import { wallDisplayByToken } from '../../storage/repos/wall-displays.ts';
import { toAuthUser } from '../context.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';
import { adminMfaFor, endSessionsOf, requireUser, SESSION_COOKIE, tokenOf } from './session.ts';

// A constant hash to compare against when the email is unknown, so timing does not reveal accounts.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const MFA_CHALLENGE_SECONDS = 300;
const WRONG_LOGIN = 'email or password is wrong';

type SessionAnswer = Static<typeof schema.SessionAnswer>;
type MfaChallenge = Static<typeof schema.MfaChallenge>;

function lockedError(until: Date): AppError {
  return new AppError(
    'rate_limited',
    `too many failed sign-ins for this account: it is locked until ${until.toISOString()}. Wait until then, or ask your organisation's administrator for a password reset`,
  );
}

function policyError(p: { en: string; ja: string }): AppError {
  return badRequest(`${p.en} / ${p.ja}`);
}

/** A wall display stays signed in this long (30 days), then needs its link opened again. */
export const WALL_DISPLAY_SESSION_SECONDS = 30 * 86_400;

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  const settings = app.signIn;
  // Per address, per instance (@fastify/rate-limit's memory store); the per-account lock-out is
  // the part that holds across instances.
  const limited = {
    access: 'none' as const,
    rateLimit: {
      max: settings.loginAttemptsPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: () =>
        new AppError(
          'rate_limited',
          'too many sign-in attempts from this address: wait a minute and try again / サインインの試行が多すぎます。1分待ってからもう一度お試しください',
        ),
      onExceeded: (req: FastifyRequest) => {
        void audit(sql, { action: 'auth.rate_limited', target: req.url.slice(0, 100), ip: req.ip }).catch(
          (e: unknown) => req.log.warn({ err: e }, 'audit of a rate-limited sign-in failed'),
        );
      },
    },
  };
  const enrolment = { access: 'none' as const, duringMfaEnrolment: true };

  /** A failed sign-in step: counted towards the account's lock-out and audited. */
  async function failed(req: FastifyRequest, email: string, userId: string | null, reason: string): Promise<void> {
    const r = await recordLoginFailure(sql, email);
    await audit(sql, {
      userId,
      action: 'auth.login.failed',
      target: email.slice(0, 320),
      detail: { reason, failures: r.failures },
      ip: req.ip,
    });
    if (r.lockedNow)
      await audit(sql, {
        userId,
        action: 'auth.locked',
        target: email.slice(0, 320),
        detail: { until: r.lockedUntil?.toISOString(), failures: r.failures },
        ip: req.ip,
      });
  }

  async function refuseIfLocked(req: FastifyRequest, email: string, userId: string | null): Promise<void> {
    const until = await lockedUntil(sql, email);
    if (!until) return;
    await audit(sql, { userId, action: 'auth.login.refused_locked', target: email.slice(0, 320), ip: req.ip });
    throw lockedError(until);
  }

  /** A new session: a full one, or one limited to enrolment when a second factor is required and missing. */
  async function startSession(
    req: FastifyRequest,
    reply: FastifyReply,
    u: UserRow,
    factor: string,
  ): Promise<SessionAnswer> {
    const user = toAuthUser(u, await membershipsOf(sql, u.id), adminMfaFor(settings, u.email));
    const enrolOnly = user.mfaRequired && !user.mfaEnrolled;
    const display = u.kind === 'display';
    const ttlSeconds = display ? WALL_DISPLAY_SESSION_SECONDS : settings.sessionTtlSeconds;
    const token = newSecret();
    const userAgent = req.headers['user-agent'];
    await createSession(sql, {
      tokenHash: hashSecret(token),
      userId: u.id,
      ttlSeconds,
      ip: req.ip,
      ...(userAgent ? { userAgent } : {}),
      enrolOnly,
      idleExempt: display,
    });
    await audit(sql, {
      userId: u.id,
      action: 'auth.login.ok',
      detail: { factor, ...(enrolOnly ? { limitedToMfaEnrolment: true } : {}) },
      ip: req.ip,
    });
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${ttlSeconds}${secure}`,
    );
    return {
      token,
      user: { id: u.id, displayName: u.display_name, email: u.email, locale: u.locale },
      ...(enrolOnly ? { mfaEnrolmentRequired: true as const } : {}),
    };
  }

  /** The second step, for an account with a second factor. */
  async function challenge(req: FastifyRequest, u: UserRow): Promise<MfaChallenge> {
    const mfaToken = newSecret();
    await createMfaChallenge(sql, {
      tokenHash: hashSecret(mfaToken),
      userId: u.id,
      ttlSeconds: MFA_CHALLENGE_SECONDS,
      ip: req.ip,
    });
    await audit(sql, { userId: u.id, action: 'auth.login.password_ok', detail: { next: 'mfa' }, ip: req.ip });
    return { mfaRequired: true, mfaToken };
  }

  app.post('/api/v1/auth/login', { schema: schema.login, config: limited }, async (req, reply) => {
    const email = req.body.email.trim().toLowerCase();
    const u = await findUserByEmail(sql, email);
    // Locked: the password is not even checked, so the right one is refused too.
    await refuseIfLocked(req, email, u?.id ?? null);
    const ok = await verifyPassword(req.body.password, u?.password_hash ?? DUMMY_HASH);
    if (!u || !ok || u.disabled_at) {
      await failed(req, email, u?.id ?? null, !u ? 'unknown email' : !ok ? 'wrong password' : 'disabled');
      throw new AppError('unauthorized', WRONG_LOGIN);
    }
    // With a second factor the count is cleared only after it: otherwise the right password between
    // wrong codes would allow endless guessing of codes.
    if (u.totp_enabled_at) return challenge(req, u);
    await clearLoginFailures(sql, email);
    return startSession(req, reply, u, 'password');
  });

  // A wall display signs in with its device credential (api/wall-displays): no password, no second
  // factor, a session that the idle timeout does not end. Failures count per address (rate limit).
  app.post('/api/v1/auth/display', { schema: schema.displaySignIn, config: limited }, async (req, reply) => {
    const d = await wallDisplayByToken(sql, hashSecret(req.body.token));
    const u = d ? await findUser(sql, d.id) : undefined;
    if (!u || u.disabled_at || u.kind !== 'display') {
      await audit(sql, { action: 'auth.display.failed', ip: req.ip });
      throw new AppError(
        'unauthorized',
        "this wall display link is not valid (rotated or revoked): ask an administrator of the display's organisation for its current link",
      );
    }
    // One screen at a time: a copied link used elsewhere takes the wall display off, visibly.
    const ended = await endSessionsOf(app, u.id);
    if (ended > 0) await audit(sql, { userId: u.id, action: 'auth.display.replaced', detail: { ended }, ip: req.ip });
    return startSession(req, reply, u, 'display_credential');
  });

  app.post('/api/v1/auth/login/mfa', { schema: schema.loginMfa, config: limited }, async (req, reply) => {
    const tokenHash = hashSecret(req.body.mfaToken);
    const ch = await findMfaChallenge(sql, tokenHash);
    const u = ch ? await findUser(sql, ch.user_id) : undefined;
    if (!u || u.disabled_at || !u.totp_secret) {
      await audit(sql, { action: 'auth.mfa.failed', detail: { reason: 'unknown or expired step' }, ip: req.ip });
      throw new AppError('unauthorized', 'this sign-in step has expired: sign in again with your email and password');
    }
    await refuseIfLocked(req, u.email, u.id).catch(async (e: unknown) => {
      await deleteMfaChallenge(sql, tokenHash);
      throw e;
    });
    const code = req.body.code.replace(/\s+/g, '');
    let factor: 'totp' | 'recovery_code' | null = null;
    let replay = false;
    if (/^\d{6}$/.test(code)) {
      const last = u.totp_last_step === null ? null : Number(u.totp_last_step);
      const step = await acceptedTotpStep(u.totp_secret, code, last);
      if (step !== null && (await acceptTotpStep(sql, u.id, step))) factor = 'totp';
      else replay = (await acceptedTotpStep(u.totp_secret, code, null)) !== null;
    } else if (/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/.test(code)) {
      if (await useRecoveryCode(sql, u.id, hashSecret(normaliseRecoveryCode(code)))) factor = 'recovery_code';
    }
    if (!factor) {
      await failed(req, u.email, u.id, replay ? 'code already used' : 'wrong code');
      throw new AppError(
        'unauthorized',
        replay
          ? 'this code was already used: wait for the next code of your authenticator app'
          : 'the code is wrong: enter the current code of your authenticator app, or a recovery code',
      );
    }
    await deleteMfaChallenge(sql, tokenHash);
    await clearLoginFailures(sql, u.email);
    if (factor === 'recovery_code')
      await audit(sql, {
        userId: u.id,
        action: 'auth.recovery_code.used',
        detail: { left: await unusedRecoveryCodes(sql, u.id) },
        ip: req.ip,
      });
    return startSession(req, reply, u, factor);
  });

  app.post(
    '/api/v1/auth/invitations/accept',
    { schema: schema.acceptInvitation, config: limited },
    async (req, reply) => {
      const tokenHash = hashSecret(req.body.token);
      const inv = await invitationState(sql, tokenHash);
      const u = inv ? await findUser(sql, inv.user_id) : undefined;
      if (!inv || !u || inv.state !== 'open' || u.disabled_at) {
        await audit(sql, {
          userId: u?.id ?? null,
          action: 'auth.invitation.refused',
          detail: { state: inv?.state ?? 'unknown', ...(u?.disabled_at ? { disabled: true } : {}) },
          ip: req.ip,
        });
        throw new AppError(
          'gone',
          'this invitation link was already used or has expired: ask your organisation’s administrator for a new one / この招待リンクは使用済みか期限切れです。管理者に新しいリンクを依頼してください',
        );
      }
      const { password } = req.body;
      if (inv.purpose === 'join') {
        // A person who already has an account confirms the new membership with their password.
        await refuseIfLocked(req, u.email, u.id);
        if (!(await verifyPassword(password, u.password_hash))) {
          await failed(req, u.email, u.id, 'wrong password at invitation');
          throw new AppError('unauthorized', 'the password is wrong: use your current password to join');
        }
      } else {
        const problem = passwordProblem(password, { email: u.email, displayName: u.display_name });
        if (problem) throw policyError(problem);
      }
      const hash = inv.purpose === 'join' ? null : await hashPassword(password);
      const used = await sql.transaction(async (tx) => {
        const row = await useInvitation(tx, tokenHash);
        if (row && hash) await setPassword(tx, u.id, hash);
        return row;
      });
      if (!used) throw new AppError('gone', 'this invitation link was already used: sign in, or ask for a new one');
      await clearLoginFailures(sql, u.email);
      await audit(sql, {
        userId: u.id,
        organisationId: used.organisation_id,
        action: 'auth.invitation.accepted',
        detail: { purpose: used.purpose },
        ip: req.ip,
      });
      // A second factor is never skipped: an account that has one signs in with it.
      if (u.totp_enabled_at) return challenge(req, u);
      return startSession(req, reply, u, used.purpose === 'join' ? 'password' : 'invitation');
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: schema.logout, config: { ...enrolment, wallDisplayMay: true } },
    async (req, reply) => {
      const token = tokenOf(req);
      if (token) {
        const sessionId = hashSecret(token);
        await deleteSessionsBy(sessionId);
        if (req.user) await audit(sql, { userId: req.user.id, action: 'auth.logout', ip: req.ip });
      }
      reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return reply.code(204).send(null);
    },
  );

  async function deleteSessionsBy(tokenHash: string) {
    await deleteSession(sql, tokenHash);
    // Open live streams of this session end now, not at their next check (issue 11 item 11).
    app.events.publish('session.ended', { sessionId: tokenHash });
  }

  app.get('/api/v1/me', { schema: schema.me, config: enrolment }, async (req) => {
    const u = requireUser(req);
    return {
      id: u.id,
      displayName: u.displayName,
      email: u.email,
      locale: u.locale,
      profession: u.profession,
      organisations: u.memberships,
      mfa: { enrolled: u.mfaEnrolled, required: u.mfaRequired, sessionLimitedToEnrolment: req.sessionEnrolOnly },
      kind: u.kind,
      initialsOnly: u.initialsOnly,
    };
  });

  app.post('/api/v1/auth/totp/enrol', { schema: schema.totpEnrol, config: enrolment }, async (req) => {
    const u = requireUser(req);
    if (u.mfaEnrolled)
      throw new AppError(
        'conflict',
        'a second factor is already enrolled; to replace it, ask your administrator to reset your sign-in',
      );
    const secret = newTotpSecret();
    if (!(await setPendingTotpSecret(sql, u.id, secret)))
      throw new AppError('conflict', 'a second factor is already enrolled');
    await audit(sql, { userId: u.id, action: 'auth.totp.enrol_started', ip: req.ip });
    return { secret, otpauthUri: otpauthUri(secret, u.email) };
  });

  app.post('/api/v1/auth/totp/confirm', { schema: schema.totpConfirm, config: enrolment }, async (req) => {
    const me = requireUser(req);
    const u = await findUser(sql, me.id);
    if (!u?.totp_secret || u.totp_enabled_at)
      throw new AppError(
        'conflict',
        u?.totp_enabled_at
          ? 'a second factor is already enrolled'
          : 'no enrolment has started: call POST /api/v1/auth/totp/enrol first',
      );
    const step = await acceptedTotpStep(u.totp_secret, req.body.code.replace(/\s+/g, ''), null);
    if (step === null || !(await acceptTotpStep(sql, u.id, step))) {
      await audit(sql, { userId: u.id, action: 'auth.totp.confirm_failed', ip: req.ip });
      throw badRequest("the code does not match: check that the phone's clock is right and enter the code shown now");
    }
    const codes = newRecoveryCodes();
    await replaceRecoveryCodes(
      sql,
      u.id,
      codes.map((c) => hashSecret(c)),
    );
    if (req.sessionEnrolOnly && req.sessionId) await liftEnrolmentLimit(sql, req.sessionId);
    await audit(sql, { userId: u.id, action: 'auth.totp.enrolled', ip: req.ip });
    return { recoveryCodes: codes };
  });

  app.post(
    '/api/v1/auth/password',
    { schema: schema.changePassword, config: { ...enrolment, ...limited } },
    async (req, reply) => {
      const me = requireUser(req);
      const u = (await findUser(sql, me.id))!;
      await refuseIfLocked(req, u.email, u.id);
      if (!(await verifyPassword(req.body.currentPassword, u.password_hash))) {
        await failed(req, u.email, u.id, 'wrong current password');
        throw new AppError('forbidden', 'the current password is wrong: enter the password you signed in with');
      }
      const problem = passwordProblem(req.body.newPassword, { email: u.email, displayName: u.display_name });
      if (problem) throw policyError(problem);
      await setPassword(sql, u.id, await hashPassword(req.body.newPassword));
      const ended = await endSessionsOf(app, u.id, req.sessionId ?? undefined);
      await audit(sql, {
        userId: u.id,
        action: 'auth.password.changed',
        detail: { otherSessionsEnded: ended },
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );

  app.get('/api/v1/auth/sessions', { schema: schema.listSessions, config: enrolment }, async (req) => {
    const u = requireUser(req);
    const idleMs = settings.sessionIdleMinutes * 60_000;
    return (await listSessions(sql, u.id)).map((s) => ({
      id: s.id,
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      expiresAt: s.expires_at.toISOString(),
      idleExpiresAt: new Date(Math.min(s.last_seen_at.getTime() + idleMs, s.expires_at.getTime())).toISOString(),
      ...(s.ip ? { ip: s.ip } : {}),
      ...(s.user_agent ? { userAgent: s.user_agent } : {}),
      current: s.token_hash === req.sessionId,
    }));
  });

  app.delete('/api/v1/auth/sessions/:id', { schema: schema.endSession, config: enrolment }, async (req, reply) => {
    const u = requireUser(req);
    const ended = isUuid(req.params.id) ? await deleteSessionOfUser(sql, u.id, req.params.id) : undefined;
    if (!ended) throw notFound('session');
    app.events.publish('session.ended', { sessionId: ended });
    await audit(sql, { userId: u.id, action: 'auth.session.revoked', target: req.params.id, ip: req.ip });
    return reply.code(204).send(null);
  });
};
