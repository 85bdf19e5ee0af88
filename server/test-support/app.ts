/**
 * The real HTTP app for `inject()` tests: an in-memory embedded database (migrated, first
 * administrator created) and the in-process aedes broker, built by the same `createServices`
 * as the server, with nothing listening. Every answer is checked against its response schema.
 * Use startTestServer (harness.ts) only where a real socket, port or broker connection is the point.
 */
import type { InjectOptions } from 'fastify';
import type { Clock } from '../src/alerts/clock.ts';
import { buildApp, type VitalsApp } from '../src/app.ts';
import { totpCode } from '../src/auth/totp.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createServices, type Services } from '../src/server.ts';
import type { Sql } from '../src/storage/sql.ts';
import { ADMIN } from './harness.ts';

export interface TestApp {
  app: VitalsApp;
  services: Services;
  sql: Sql;
  /** The first administrator's session token. */
  token: string;
  /**
   * A JSON call through inject(): `token` defaults to the administrator's, `null` sends none; a
   * string body is sent as it is (malformed JSON), anything else as JSON.
   */
  api<T = unknown>(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>;
  /** Logs in through the API and returns the session token. */
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function buildTestApp(opts: { env?: Record<string, string>; alertClock?: Clock } = {}): Promise<TestApp> {
  const config = loadConfig({
    VITALS_DATA_DIR: 'memory://',
    VITALS_ADMIN_EMAIL: ADMIN.email,
    VITALS_ADMIN_PASSWORD: ADMIN.password,
    VITALS_LOG_LEVEL: 'silent',
    VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    ...(process.env.VITALS_EMBEDDED_SEED ? { VITALS_EMBEDDED_SEED: process.env.VITALS_EMBEDDED_SEED } : {}),
    // The administrator of the test kits signs in with a password alone; sign-in tests turn this on.
    VITALS_ADMIN_MFA: 'false',
    ...opts.env,
  });
  const services = await createServices(config, {
    log: createLogger(config.logLevel),
    ...(opts.alertClock ? { alertClock: opts.alertClock } : {}),
  });
  let app: VitalsApp;
  try {
    app = await buildApp({ services, checkResponses: true });
    await app.ready();
  } catch (e) {
    await services.close();
    throw e;
  }
  const call = async <T>(method: InjectOptions['method'], path: string, body?: unknown, token?: string | null) => {
    const r = await app.inject({
      method,
      url: path,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: r.statusCode, body: (r.body ? JSON.parse(r.body) : undefined) as T };
  };
  const adminTotpSecret = config.adminTotpSecret;
  const login = async (email: string, password: string) => {
    let r = await call<{ token?: string; mfaToken?: string }>('POST', '/api/v1/auth/login', { email, password }, null);
    // The first administrator enrolled from VITALS_ADMIN_TOTP_SECRET: the kit computes the code.
    if (r.status === 200 && r.body.mfaToken && adminTotpSecret && email === config.adminEmail)
      r = await call(
        'POST',
        '/api/v1/auth/login/mfa',
        { mfaToken: r.body.mfaToken, code: await totpCode(adminTotpSecret) },
        null,
      );
    if (r.status !== 200 || !r.body.token)
      throw new Error(`login of ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  const token = await login(ADMIN.email, ADMIN.password);
  return {
    app,
    services,
    sql: services.sql,
    token,
    api: (m, p, b, t) => call(m, p, b, t === undefined ? token : t),
    login,
    async close() {
      await app.close();
      await services.close();
    },
  };
}
