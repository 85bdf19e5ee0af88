/** GET /healthz: 200 when the broker, database and ingest are up, 503 with the reason otherwise. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { pingDatabase } from '../../storage/probes.ts';
import * as schema from './schemas.ts';

const DATABASE_TIMEOUT_MS = 2000;

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: schema.health }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    checks.broker = app.broker.listening ? 'ok' : 'not listening';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pingDatabase(app.sql),
        new Promise((_, rej) => {
          timer = setTimeout(
            () => rej(new Error(`no answer within ${DATABASE_TIMEOUT_MS / 1000} s`)),
            DATABASE_TIMEOUT_MS,
          );
        }),
      ]);
      checks.database = 'ok';
    } catch (e) {
      checks.database = `unavailable: ${(e as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
    checks.ingest = app.ingest.problem() ?? 'ok';
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
};
