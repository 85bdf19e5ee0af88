/**
 * Security headers on every answer (issue 13; OWASP ASVS 4.0 V14.4): @fastify/helmet with a
 * content security policy that allows no inline script and no framing, nosniff, a referrer
 * policy; HSTS only on answers that went out over TLS (the server's own listener or a trusted
 * proxy's X-Forwarded-Proto), since on plain HTTP it means nothing and on a wrongly set up host it
 * would lock browsers out. API answers are never stored by browsers or proxies (`no-store`):
 * they carry patient data or, at login, the session token.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** One year, the preload list's minimum. */
const HSTS = 'max-age=31536000; includeSubDomains';

export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    });
    app.addHook('onSend', async (req, reply, payload) => {
      if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
      const path = req.url;
      if (path.startsWith('/api/') || path.startsWith('/fhir/')) {
        reply.header('cache-control', 'no-store');
        reply.header('pragma', 'no-cache');
      }
      return payload;
    });
  },
  { name: 'security-headers', fastify: '5.x' },
);
