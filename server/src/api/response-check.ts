/**
 * Checks each JSON answer against the response schema of its status before it is serialised,
 * so every API test proves the answers are what /api/docs promises: a mismatch (a missing or
 * extra field, a wrong type, a status without a schema) becomes a generic 500 and the detail
 * goes to the log. On in tests (buildTestApp, startTestServer); off by default in production,
 * where it would cost a validation per answer. Routes without any response schema are not
 * checked here: the route-schema test refuses them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { errorBody } from '../errors.ts';

type Check = ReturnType<typeof Compile<TSchema>>;

/** The schema fastify would use for a status: exact, then `4xx`-style, then `default`. */
export function responseSchemaFor(responses: Record<string, unknown>, status: number): unknown {
  return responses[String(status)] ?? responses[`${String(status)[0]}xx`] ?? responses.default;
}

/**
 * A status answered in several media types (`{content: {'text/html': …, 'application/json': …}}`,
 * the acknowledgement link) is checked against its JSON schema: only JSON answers reach this hook.
 */
function jsonSchemaOf(schema: unknown): unknown {
  if (!schema || typeof schema !== 'object' || !('content' in schema)) return schema;
  const content = schema.content as Record<string, { schema?: unknown } | undefined>;
  return content['application/json']?.schema;
}

export const responseCheckPlugin = fp(
  async (app) => {
    const compiled = new WeakMap<object, Check>();
    const checkOf = (schema: object): Check => {
      let c = compiled.get(schema);
      if (!c) {
        c = Compile(schema as TSchema);
        compiled.set(schema, c);
      }
      return c;
    };

    const refuse = (req: FastifyRequest, reply: FastifyReply, problem: string, errors?: unknown) => {
      req.log.error(
        { route: `${req.method} ${req.routeOptions.url}`, status: reply.statusCode, problem, errors },
        'the answer does not match its response schema',
      );
      reply.code(500);
      return errorBody('internal', 'internal error; the server log has the detail');
    };

    app.addHook('preSerialization', async (req, reply, payload: unknown) => {
      const responses = req.routeOptions.schema?.response as Record<string, unknown> | undefined;
      if (!responses) return payload;
      const schema = jsonSchemaOf(responseSchemaFor(responses, reply.statusCode));
      if (!schema || typeof schema !== 'object')
        return refuse(req, reply, `status ${reply.statusCode} has no response schema`);
      const check = checkOf(schema);
      if (check.Check(payload)) return payload;
      return refuse(req, reply, 'mismatch', [...check.Errors(payload)].slice(0, 5));
    });
  },
  { name: 'response-check', fastify: '5.x' },
);
