/** Web Push (schemas in ./schemas.ts): what a browser needs before it can subscribe. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../errors.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

export const pushRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/push/vapid-public-key',
    { schema: schema.vapidPublicKey, config: { access: 'none' } },
    async (req) => {
      requireUser(req);
      const key = app.alerts.ctx.config.vapidPublicKey;
      if (!key) throw notFound('Web Push (no VAPID keys configured)');
      return { publicKey: key };
    },
  );
};
