/** Issue 12: OpenAPI 3 generated from the route schemas, readable offline at /api/docs. */
import { readFileSync } from 'node:fs';
import { API_TYPES_FILE, renderApiTypes } from '@vitals/dashboard/api-types-gen.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        responses: Record<string, unknown>;
        requestBody?: unknown;
        security?: unknown[];
      }
    >
  >;
}

describe('OpenAPI document and page', () => {
  let t: TestApp;
  let doc: OpenApi;

  beforeAll(async () => {
    t = await buildTestApp();
    const r = await t.app.inject('/api/docs/json');
    expect(r.statusCode).toBe(200);
    doc = r.json();
  });
  afterAll(async () => t?.close());

  it('is OpenAPI 3 and describes the converted routes with their parameters, body and statuses', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const readings = doc.paths['/api/v1/patients/{id}/readings']?.get;
    expect(readings?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:id',
      'query:from',
      'query:maxPoints',
      'query:metric',
      'query:to',
    ]);
    expect(Object.keys(readings?.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX', '5XX']));
    expect(doc.paths['/api/v1/patients']?.post?.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/api/v1/auth/logout']?.post?.responses ?? {})).toContain('204');
    expect(doc.paths['/healthz']?.get?.responses).toHaveProperty('503');
  });

  it('asks for a session everywhere except at login and the health check', () => {
    expect(doc).toHaveProperty('security', [{ bearer: [] }, { session: [] }]);
    expect(doc.paths['/api/v1/auth/login']?.post?.security).toEqual([]);
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    expect(doc.paths['/api/v1/me']?.get?.security).toBeUndefined();
  });

  it('leaves the documentation routes themselves out', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/api/docs'))).toEqual([]);
  });

  it('serves a readable page whose scripts and styles all come from this server, without a login', async () => {
    let r = await t.app.inject('/api/docs');
    for (let hops = 0; r.statusCode >= 300 && r.statusCode < 400 && hops < 3; hops++)
      r = await t.app.inject(new URL(String(r.headers.location), 'http://x/api/docs/').pathname);
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/text\/html/);
    const refs = [...r.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(1);
    expect(refs.filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
    for (const ref of refs) {
      const a = await t.app.inject(new URL(ref, 'http://x/api/docs/').pathname);
      expect([ref, a.statusCode]).toEqual([ref, 200]);
    }
  });

  it("matches the dashboard's generated API types (after changing a route schema run `pnpm -s api-types`)", async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const fresh = await renderApiTypes(doc);
    // A diff of 8,000 lines helps nobody: say what to do instead.
    expect(
      committed === fresh,
      'dashboard/src/client/api-types.ts is stale: run `pnpm -s api-types` and commit it',
    ).toBe(true);
  });
});
