/**
 * Issue 12: every route declares its schemas, so validation, typing and /api/docs all come
 * from one place. The routes are collected from the app itself, so a route added later is
 * checked too. A route fails without: a params schema naming each path parameter, a
 * querystring schema when its handler reads the query, a body schema when a POST/PUT/PATCH
 * handler reads the body, and a response schema for a success status, for 4xx and 5xx, and
 * for every status its handler names. (That every answer matches its schema is checked on
 * every API test by api/response-check.ts.)
 */
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';
import { DOCS_PREFIX } from './openapi.ts';
import { responseSchemaFor } from './response-check.ts';

/**
 * Routes not converted yet, each named; a converter removes theirs. This list must be empty
 * when issue 12 closes. A listed route that passes fails the test, so the list only shrinks.
 */
const NOT_YET_CONVERTED = new Set<string>([]);

type Schema = Record<string, unknown>;

function methodsOf(r: RouteOptions): string[] {
  return (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
}

/** What is missing from a route's schemas; empty when it has all it needs. */
export function schemaProblems(r: RouteOptions, method: string): string[] {
  const problems: string[] = [];
  const s = (r.schema ?? {}) as Record<string, Schema | undefined>;
  const handler = String(r.handler);
  const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const declared = Object.keys((s.params?.properties as Schema | undefined) ?? {});
  for (const p of params) if (!declared.includes(p)) problems.push(`no params schema for :${p}`);
  if (/\bquery\b/.test(handler) && !s.querystring) problems.push('reads the query without a querystring schema');
  if (['POST', 'PUT', 'PATCH'].includes(method) && /\bbody\b/.test(handler) && !s.body)
    problems.push('reads the body without a body schema');
  const responses = s.response as Schema | undefined;
  if (!responses) return [...problems, 'no response schema'];
  if (!Object.keys(responses).some((k) => /^2(\d\d|xx)$/.test(k))) problems.push('no response schema for a 2xx status');
  for (const status of [400, 500])
    if (!responseSchemaFor(responses, status)) problems.push(`no response schema for ${status}`);
  for (const m of handler.matchAll(/\.code\((\d{3})\)/g))
    if (!responseSchemaFor(responses, Number(m[1]))) problems.push(`sends ${m[1]} without a response schema for it`);
  return problems;
}

describe('route schemas', () => {
  let t: TestApp;
  let routes: { name: string; route: RouteOptions; method: string }[];

  beforeAll(async () => {
    t = await buildTestApp();
    routes = t.app.registeredRoutes.flatMap((route) =>
      methodsOf(route).map((method) => ({ name: `${method} ${route.url}`, route, method })),
    );
  });
  afterAll(async () => t?.close());

  it('hides only the documentation itself from the OpenAPI document', () => {
    const hidden = routes.filter((r) => (r.route.schema as Schema | undefined)?.hide === true).map((r) => r.name);
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.filter((n) => !n.split(' ')[1]!.startsWith(DOCS_PREFIX))).toEqual([]);
  });

  it('finds every route with its schemas, apart from the named routes not converted yet', () => {
    const problems = routes
      .filter((r) => (r.route.schema as Schema | undefined)?.hide !== true && !NOT_YET_CONVERTED.has(r.name))
      .flatMap((r) => schemaProblems(r.route, r.method).map((p) => `${r.name}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('keeps the list of routes not converted yet exact: each exists and still lacks a schema', () => {
    const byName = new Map(routes.map((r) => [r.name, r]));
    const stale = [...NOT_YET_CONVERTED].filter((n) => {
      const r = byName.get(n);
      return !r || schemaProblems(r.route, r.method).length === 0;
    });
    expect(stale, 'remove these from NOT_YET_CONVERTED').toEqual([]);
  });

  it('refuses a route without schemas, so the check can fail', () => {
    const bare = {
      method: 'POST',
      url: '/api/v1/x/:id',
      handler: async (req: { body: unknown; query: unknown }) => [req.body, req.query],
    };
    expect(schemaProblems(bare as unknown as RouteOptions, 'POST')).toEqual([
      'no params schema for :id',
      'reads the query without a querystring schema',
      'reads the body without a body schema',
      'no response schema',
    ]);
  });
});
