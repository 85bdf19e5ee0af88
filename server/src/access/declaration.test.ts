/** The route-declaration check: a route cannot forget to say who may call it, nor say it wrongly. */
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { eventsPlugin } from '../api/services.ts';
import { createEventBus } from '../events/bus.ts';
import { declarationProblem, valueAt } from './declaration.ts';
import { accessPlugin } from './plugin.ts';

const route = (url: string, access?: unknown, schema?: object) => ({
  method: 'GET',
  url,
  ...(access === undefined ? {} : { config: { access } }),
  ...(schema ? { schema } : {}),
});

describe('access declarations', () => {
  it.each([
    ['an /api/ route without one', route('/api/v1/things'), /declares no access/],
    [
      'a patient in a path parameter the path lacks',
      route('/api/v1/x/:pid', { patient: 'params.id', need: 'read' }),
      /no :id/,
    ],
    [
      'a body field the body schema lacks',
      route('/api/v1/x', { patient: 'body.patientId', need: 'write' }),
      /no property patientId/,
    ],
    ['an unknown need', route('/api/v1/p/:id', { patient: 'params.id', need: 'admin' }), /need must be/],
    ['an unknown item', route('/api/v1/r/:id', { item: 'rota', id: 'params.id', need: 'read' }), /item must be/],
    ['a source that is not one', route('/api/v1/p/:id', { patient: 'headers.x', need: 'read' }), /must be 'params.X'/],
    [
      'a malformed audit',
      route('/api/v1/p/:id', { patient: 'params.id', need: 'read', audit: { action: 1 } }),
      /audit/,
    ],
  ])('refuses %s', (_what, r, message) => {
    expect(declarationProblem(r)).toMatch(message);
  });

  it.each([
    ['a route outside /api/', route('/healthz')],
    ["the OpenAPI viewer's own routes", route('/api/docs/static/index.html')],
    ['none', route('/api/v1/me', 'none')],
    ['a visible-list', route('/api/v1/alerts', 'visible-list')],
    ['a patient in the path', route('/api/v1/patients/:id', { patient: 'params.id', need: 'lead' })],
    [
      'a patient in the body',
      route(
        '/api/v1/bindings',
        { patient: 'body.patientId', need: 'write' },
        { body: { properties: { patientId: {} } } },
      ),
    ],
    ['an item', route('/api/v1/alerts/:id', { item: 'alert', id: 'params.id', need: 'read', audit: 'alert.read' })],
    [
      'an organisation administrator',
      route('/api/v1/organisations/:orgId/users', { organisationAdmin: 'params.orgId' }),
    ],
  ])('accepts %s', (_what, r) => {
    expect(declarationProblem(r)).toBeUndefined();
  });

  it('reads the value a source names, and nothing inherited', () => {
    const req = { params: { id: 'p1' }, query: {}, body: { patientId: 'p2' } };
    expect(valueAt(req, 'params.id')).toBe('p1');
    expect(valueAt(req, 'body.patientId')).toBe('p2');
    expect(valueAt(req, 'query.patientId')).toBeUndefined();
    expect(valueAt({ params: {}, query: {}, body: null }, 'params.constructor')).toBeUndefined();
  });

  it('refuses to start a server with an /api/ route that declares no access', async () => {
    const app = Fastify();
    await app.register(fp(async () => {}, { name: 'database' }));
    await app.register(fp(async () => {}, { name: 'auth' }));
    await app.register(eventsPlugin, { events: await createEventBus({ log: pino({ level: 'silent' }) }) });
    await app.register(accessPlugin, { emergencyAccessMinutes: 60 });
    const start = async () => {
      await app.register(async (scope) => {
        scope.get('/api/v1/forgotten', async () => ({ secret: true }));
      });
      await app.ready();
    };
    await expect(start()).rejects.toThrow(/GET \/api\/v1\/forgotten declares no access/);
  });
});
