/** Login, logout and the caller's own account (schemas in ./schemas.ts). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hashSecret, newSecret, verifyPassword } from '../../auth/secrets.ts';
import { AppError } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { createSession, deleteSession, findUserByEmail } from '../../storage/repos/people.ts';
import * as schema from './schemas.ts';
import { requireUser, SESSION_COOKIE, tokenOf } from './session.ts';

// A constant hash to compare against when the email is unknown, so timing does not reveal accounts.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post('/api/v1/auth/login', { schema: schema.login, config: { access: 'none' } }, async (req, reply) => {
    const { email, password } = req.body;
    const u = await findUserByEmail(sql, email);
    const ok = await verifyPassword(password, u?.password_hash ?? DUMMY_HASH);
    if (!u || !ok || u.disabled_at) {
      await audit(sql, { action: 'auth.login_failed', target: email.slice(0, 320), ip: req.ip });
      throw new AppError('unauthorized', 'email or password is wrong');
    }
    const token = newSecret();
    await createSession(sql, hashSecret(token), u.id, app.sessionTtlSeconds, req.ip);
    await audit(sql, { userId: u.id, action: 'auth.login', ip: req.ip });
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${app.sessionTtlSeconds}${secure}`,
    );
    return { token, user: { id: u.id, displayName: u.display_name, email: u.email, locale: u.locale } };
  });

  app.post('/api/v1/auth/logout', { schema: schema.logout, config: { access: 'none' } }, async (req, reply) => {
    const token = tokenOf(req);
    if (token) {
      const sessionId = hashSecret(token);
      await deleteSession(sql, sessionId);
      // Open live streams of this session end now, not at their next check (issue 11 item 11).
      app.events.publish('session.ended', { sessionId });
    }
    reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/me', { schema: schema.me, config: { access: 'none' } }, async (req) => {
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
};
