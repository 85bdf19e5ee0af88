import { Writable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import pino from 'pino';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { errorsPlugin } from './errors-plugin.ts';
import { responseCheckPlugin } from './response-check.ts';
import { ERROR_RESPONSES } from './schemas.ts';

const Thing = Type.Object({ id: Type.String(), n: Type.Integer() }, { additionalProperties: false });

async function appWith(payload: () => unknown, status = 200) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const app = Fastify({ loggerInstance: pino({ level: 'error' }, stream) }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(errorsPlugin);
  await app.register(responseCheckPlugin);
  app.get('/thing', { schema: { response: { 200: Thing, ...ERROR_RESPONSES } } }, async (_req, reply) =>
    // biome-ignore lint/suspicious/noExplicitAny: the point is to send what the schema does not allow.
    reply.code(status).send(payload() as any),
  );
  app.get('/unchecked', async () => payload());
  return { app, lines };
}

describe('response checking', () => {
  it('lets an answer that matches its schema through unchanged', async () => {
    const { app } = await appWith(() => ({ id: 'a', n: 1 }));
    const r = await app.inject('/thing');
    expect([r.statusCode, r.json()]).toEqual([200, { id: 'a', n: 1 }]);
  });

  it.each([
    ['a field the schema does not declare', { id: 'a', n: 1, secret: 'x' }, 200],
    ['a missing field', { id: 'a' }, 200],
    ['a field of the wrong type', { id: 'a', n: '1' }, 200],
    ['a Date where the schema says string', { id: new Date(), n: 1 }, 200],
    ['a status without a schema', { id: 'a', n: 1 }, 201],
  ])('turns %s into a generic 500 and logs the detail', async (_what, payload, status) => {
    const { app, lines } = await appWith(() => payload, status);
    const r = await app.inject('/thing');
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: { code: 'internal', message: 'internal error; the server log has the detail' } });
    expect(lines.join('')).toMatch(/the answer does not match its response schema/);
    expect(lines.join('')).toMatch(/GET \/thing/);
  });

  it('checks error answers against the error schema too', async () => {
    const { app } = await appWith(() => ({ error: { code: 'not_found', message: 'thing not found' } }), 404);
    expect((await app.inject('/thing')).statusCode).toBe(404);
    const bad = await appWith(() => ({ message: 'not the contract shape' }), 404);
    expect((await bad.app.inject('/thing')).statusCode).toBe(500);
  });

  it('checks a JSON answer of a status answered in several media types against its JSON schema', async () => {
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    await app.register(responseCheckPlugin);
    const either = { content: { 'text/html': { schema: Type.String() }, 'application/json': { schema: Thing } } };
    let json: unknown = { id: 'a', n: 1 };
    app.get('/either', { schema: { response: { 200: either } } }, async (req, reply) =>
      'html' in (req.query as object) ? reply.type('text/html').send('<h1>a</h1>') : json,
    );
    expect((await app.inject('/either')).json()).toEqual({ id: 'a', n: 1 });
    expect((await app.inject('/either?html')).body).toBe('<h1>a</h1>');
    json = { id: 'a', n: 1, secret: 'x' };
    expect((await app.inject('/either')).statusCode).toBe(500);
  });

  it('leaves routes without response schemas to the route-schema test', async () => {
    const { app } = await appWith(() => ({ anything: true }));
    expect((await app.inject('/unchecked')).json()).toEqual({ anything: true });
  });
});
