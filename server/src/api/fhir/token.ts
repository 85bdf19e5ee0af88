/**
 * POST /fhir/R4/auth/token: OAuth 2.0 client credentials (RFC 6749 §4.4), the grant SMART
 * Backend Services uses, with the client authenticating by its secret (HTTP Basic or form
 * fields) rather than a signed JWT assertion: simple for an EHR team to set up with curl, and
 * the secret crosses the wire only here, once per token, not on every FHIR call. Tokens last
 * five minutes (as SMART Backend Services asks) and are stored hashed.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hashSecret, newSecret, verifySecret } from '../../auth/secrets.ts';
import { AppError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { findApiClient, storeClientToken } from '../../storage/repos/api-clients.ts';
import { audit } from '../../storage/repos/audit.ts';
import * as schema from './schemas.ts';

export const TOKEN_SECONDS = 300;

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function oauthError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof OAuthError)
    return reply.code(err.status).send({ error: err.code, error_description: err.message });
  if (err instanceof AppError && err.status < 500)
    return reply.code(err.status).send({ error: 'invalid_request', error_description: err.message });
  if (err.validation || (err.statusCode && err.statusCode < 500))
    return reply
      .code(err.statusCode && err.statusCode !== 500 ? err.statusCode : 400)
      .send({ error: 'invalid_request', error_description: err.message });
  req.log.error({ err }, 'token request failed');
  return reply
    .code(500)
    .send({ error: 'server_error', error_description: 'internal error; the server log has the detail' });
}

/** client_id and client_secret from HTTP Basic (RFC 6749 §2.3.1) or the body. */
function credentialsOf(req: FastifyRequest, body: { client_id?: string; client_secret?: string }) {
  const h = req.headers.authorization;
  if (h?.startsWith('Basic ')) {
    const text = Buffer.from(h.slice(6), 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0)
      return { id: decodeURIComponent(text.slice(0, colon)), secret: decodeURIComponent(text.slice(colon + 1)) };
  }
  return { id: body.client_id, secret: body.client_secret };
}

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  app.setErrorHandler(oauthError);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.post('/auth/token', { schema: schema.token, config: { access: 'none' } }, async (req) => {
    const b = req.body;
    if (b.grant_type !== 'client_credentials')
      throw new OAuthError(400, 'unsupported_grant_type', 'use grant_type=client_credentials');
    const { id, secret } = credentialsOf(req, b);
    const client = id && isUuid(id) ? await findApiClient(sql, id.toLowerCase()) : undefined;
    if (!client || client.revoked_at || !secret || !verifySecret(secret, client.secret_hash))
      throw new OAuthError(401, 'invalid_client', 'unknown client, wrong secret, or the client was revoked');
    const asked = b.scope ? b.scope.split(/\s+/).filter(Boolean) : client.scopes;
    const refused = asked.filter((s) => !client.scopes.includes(s));
    if (refused.length)
      throw new OAuthError(
        400,
        'invalid_scope',
        `this client was not given ${refused.join(' ')}; it has ${client.scopes.join(' ')}`,
      );
    const token = newSecret();
    await storeClientToken(sql, {
      tokenHash: hashSecret(token),
      clientId: client.id,
      scopes: asked,
      expiresAt: new Date(Date.now() + TOKEN_SECONDS * 1000),
    });
    await audit(sql, {
      organisationId: client.organisation_id,
      action: 'api-client.token',
      target: client.id,
      detail: { apiClientId: client.id, scopes: asked },
      ip: req.ip,
    });
    return { access_token: token, token_type: 'bearer' as const, expires_in: TOKEN_SECONDS, scope: asked.join(' ') };
  });
};
