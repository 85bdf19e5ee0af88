/**
 * OpenAPI 3 generated from the route schemas (@fastify/swagger): the document at
 * `/api/docs/json`, a readable page at `/api/docs` whose assets are served by this server (no
 * CDN, so it works offline). Registered before the routes, whose schemas it collects.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { SESSION_COOKIE } from './auth/session.ts';

export const DOCS_PREFIX = '/api/docs';

export const openApiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'vitals HTTP API',
          version: '1',
          description: 'Home-care vital-sign monitoring. Errors are `{"error":{"code","message"}}`.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer' },
            session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, uiConfig: { deepLinking: false } });
  },
  { name: 'openapi', fastify: '5.x' },
);
