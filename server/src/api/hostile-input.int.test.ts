/**
 * Issue 11 item 9: hostile HTTP input is a 4xx in the contract's error shape on every route,
 * including routes added later: the routes are not listed here but collected from the app.
 * Each route gets hostile values in each path parameter, query parameter and JSON body field
 * (with a valid administrator's token), and malformed session cookies; an overlong path
 * segment and oversized headers go over a real socket, since node's HTTP parser answers those.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../../test-support/harness.ts';

const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  'x\u001bx',
  '0000-01-01T00:00:00Z',
  '0000-01-01',
  '99999-01-01',
  '99999-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  'ffffffffffffffffffffffffffffffffffff',
  '------------------------------------',
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '9223372036854775808',
  '-9223372036854775809',
  '1e400',
  '%',
];

const MOST_FATAL = ['a\u0000b', '0000-01-01T00:00:00Z', 'ffffffffffffffffffffffffffffffffffff', '9223372036854775808'];

/** Path segments put in as they are: percent-encoding that decodes to nothing. */
const MALFORMED_PERCENT_ENCODING = ['%E0%A4%A', '%', '%zz', '%C0%AF'];

/** Raw JSON texts put where a body field goes: the strings above plus numbers no column holds. */
const HOSTILE_JSON = [
  ...HOSTILE_STRINGS.map((s) => JSON.stringify(s)),
  '9223372036854775808',
  '-9223372036854775809',
  '1e400',
  '-1e400',
  '2147483648',
  '1e-400',
  '-1',
  '0.5',
  '"\\ud800"',
];

/** The raw JSON values most often fatal (a NUL, out-of-range numbers, a lone surrogate, year 0). */
const MOST_FATAL_JSON = ['"a\\u0000b"', '9223372036854775808', '1e400', '"\\ud800"', '"0000-01-01T00:00:00Z"'];

/**
 * PGlite is PostgreSQL compiled to WebAssembly, so the database answers the same on both: the
 * whole walk runs on the embedded default, and on PostgreSQL the values most often fatal check that
 * the real server and its driver (errors, parameter types) are mapped the same. The walk grows
 * with every route, and every request costs a session look-up.
 */
const WALK: Record<TestBackend, { strings: readonly string[]; json: readonly string[] }> = {
  pglite: { strings: HOSTILE_STRINGS, json: HOSTILE_JSON },
  postgres: { strings: MOST_FATAL, json: MOST_FATAL_JSON },
};

/** Query parameter names tried on routes that declare no query schema (their handlers read req.query freely). */
const COMMON_QUERY_NAMES = ['from', 'to', 'at', 'before', 'limit', 'patientId', 'metric', 'state', 'status', 'token'];
/** Body fields tried on routes that declare no body schema. */
const COMMON_BODY_FIELDS = ['displayName', 'name', 'label', 'note', 'reason', 'from', 'to', 'time', 'id', 'patientId'];

const MALFORMED_COOKIES = [
  'vitals_session=%E0%A4%A',
  'vitals_session=%',
  'vitals_session=%zz; other=1',
  `vitals_session=${'a'.repeat(8000)}`,
  'vitals_session',
  '=; ;vitals_session==%%=',
];

// The one-time acknowledgement link answers people in a browser with an HTML page by design.
const HTML_ROUTES = new Set(['/api/v1/alerts/ack-link']);
// The live stream never ends on its own with a valid session; it is covered by stream.int.test.ts.
// Logout would end the token the walk uses; it is covered by the cookie case.
const NOT_WALKED_WITH_TOKEN = new Set(['/api/v1/stream', '/api/v1/auth/logout']);

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

type Schema = Record<string, unknown>;

/** What is wrong with an answer, or undefined when it is a fitting one. */
function problemOf(route: RouteOptions, a: Answer): string | undefined {
  if (a.statusCode >= 500) return `${a.statusCode} ${a.body.slice(0, 300)}`;
  if (a.statusCode < 400) return undefined;
  const type = String(a.headers['content-type'] ?? '');
  if (HTML_ROUTES.has(route.url) && type.startsWith('text/html')) return undefined;
  try {
    const b = JSON.parse(a.body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof b.error?.code === 'string' && typeof b.error.message === 'string' && b.error.message.length > 3)
      return undefined;
    // The FHIR API answers errors as FHIR does (issue 17): an OperationOutcome, or at its OAuth
    // token endpoint an OAuth 2.0 error.
    if (route.url.startsWith('/fhir/') && fhirErrorShape(JSON.parse(a.body))) return undefined;
  } catch {}
  return `${a.statusCode} not in the contract's error shape: ${a.body.slice(0, 300)}`;
}

function fhirErrorShape(b: {
  resourceType?: unknown;
  issue?: { diagnostics?: unknown }[];
  error?: unknown;
  error_description?: unknown;
}) {
  if (b.resourceType === 'OperationOutcome')
    return typeof b.issue?.[0]?.diagnostics === 'string' && b.issue[0].diagnostics.length > 3;
  return typeof b.error === 'string' && typeof b.error_description === 'string' && b.error_description.length > 3;
}

function methodsOf(r: RouteOptions): string[] {
  return (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
}

function paramNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

function schemaOf(r: RouteOptions, part: 'body' | 'querystring'): Schema | undefined {
  return (r.schema as Record<string, Schema | undefined> | undefined)?.[part];
}

function objectSchema(s: Schema | undefined): Schema | undefined {
  if (!s) return undefined;
  for (const alt of [s, ...((s.anyOf ?? s.oneOf ?? []) as Schema[])])
    if (alt.type === 'object' || alt.properties) return alt;
  return undefined;
}

describe.each(['pglite', 'postgres'] as TestBackend[])('hostile HTTP input on every route (%s)', (backend) => {
  let t: TestServer;
  let app: FastifyInstance;
  let patientId: string;
  let adminId: string;
  let organisationId: string;
  let ruleId: string;
  const gatewayId = 'gw-hostile-01';
  const values = WALK[backend];
  /** Every status seen: with a valid token, a 401 would mean the walk never reached the routes. */
  const statuses = new Set<number>();

  /** A valid value for a path parameter, so the hostile one is the only thing wrong. */
  function validParam(url: string, name: string): string {
    if (name === 'id' && url.startsWith('/api/v1/patients/')) return patientId;
    if (name === 'id' && url.startsWith('/api/v1/gateways/')) return gatewayId;
    if (name === 'rule') return ruleId;
    if (name === 'metric') return 'spo2';
    if (name === 'orgId') return organisationId;
    if (name === 'userId') return adminId;
    return randomUUID();
  }

  /** A valid example of a JSON schema (best effort), for fields around the hostile one. */
  function example(s: Schema | undefined, name = ''): unknown {
    if (!s) return {};
    const obj = objectSchema(s);
    if (obj && obj !== s) return example(obj, name);
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return s.enum[0];
    const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
    switch (type) {
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, Schema>;
        const req = (s.required ?? []) as string[];
        return Object.fromEntries(req.filter((k) => props[k]).map((k) => [k, example(props[k], k)]));
      }
      case 'array':
        return Array.from({ length: Number(s.minItems ?? 1) }, () => example(s.items as Schema, name));
      case 'integer':
      case 'number':
        return Number(s.minimum ?? 1) + (s.exclusiveMinimum !== undefined ? 1 : 0);
      case 'boolean':
        return true;
      default:
        if (s.format === 'date-time') return new Date().toISOString();
        if (s.format === 'date') return '2026-01-01';
        if (s.format === 'uuid')
          return name === 'patientId' ? patientId : name === 'organisationId' ? organisationId : adminId;
        if (name === 'timezone') return 'Asia/Tokyo';
        if (name === 'email') return `${randomUUID()}@example.test`;
        if (name === 'metric') return 'spo2';
        return 'text of a reasonable length';
    }
  }

  /** Paths (as key lists) of every field a schema declares, nested objects and first array items included. */
  function fieldPaths(s: Schema | undefined, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
    const obj = objectSchema(s);
    if (!s || depth > 4) return [];
    if (obj) {
      const props = (obj.properties ?? {}) as Record<string, Schema>;
      return Object.entries(props).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k], depth + 1)]);
    }
    if (s.type === 'array' && s.items) return fieldPaths(s.items as Schema, [...prefix, 0], depth + 1);
    return [];
  }

  /** `base` with the hostile raw JSON text at `path`. */
  function bodyWith(base: unknown, path: (string | number)[], raw: string): string {
    const MARK = '__hostile_value__';
    const root = structuredClone(base ?? {}) as Record<string | number, unknown>;
    let at: Record<string | number, unknown> = root;
    for (const [i, k] of path.entries()) {
      if (i === path.length - 1) at[k] = MARK;
      else {
        if (at[k] === null || typeof at[k] !== 'object') at[k] = typeof path[i + 1] === 'number' ? [] : {};
        at = at[k] as Record<string | number, unknown>;
      }
    }
    return JSON.stringify(root).replace(`"${MARK}"`, raw);
  }

  /** The route's URL with valid parameters, or one hostile one (`raw`: put in as it is, not percent-encoded). */
  function urlOf(r: RouteOptions, override?: [string, string], raw = false): string {
    return r.url.replace(/:([A-Za-z0-9_]+)/g, (_, n: string) =>
      override?.[0] === n
        ? raw
          ? override[1]
          : encodeURIComponent(override[1])
        : encodeURIComponent(validParam(r.url, n)),
    );
  }

  function baseQuery(r: RouteOptions): Record<string, string> {
    const q = example(schemaOf(r, 'querystring')) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(q ?? {}).map(([k, v]) => [k, String(v)]));
  }

  function withQuery(url: string, q: Record<string, string>): string {
    const s = new URLSearchParams(q).toString();
    return s ? `${url}?${s}` : url;
  }

  function walked(): RouteOptions[] {
    return app.registeredRoutes.filter((r) => !NOT_WALKED_WITH_TOKEN.has(r.url) && methodsOf(r).length > 0);
  }

  async function send(
    r: RouteOptions,
    method: string,
    url: string,
    opts: { body?: string; cookie?: string; token?: boolean } = {},
  ): Promise<string | undefined> {
    const a = await app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(opts.token === false ? {} : { authorization: `Bearer ${t.token}` }),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(opts.body !== undefined ? { payload: opts.body } : {}),
    });
    statuses.add(a.statusCode);
    const p = problemOf(r, { statusCode: a.statusCode, headers: a.headers, body: a.body });
    return p ? `${method} ${url.slice(0, 160)}${opts.body ? ` ${opts.body.slice(0, 160)}` : ''} -> ${p}` : undefined;
  }

  async function expectHealthy() {
    expect((await t.api('GET', '/healthz', undefined, null)).status).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestServer(backend);
    app = t.server.app;
    organisationId = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    expect((await t.api('POST', '/api/v1/gateways', { id: gatewayId })).status).toBe(201);
    ruleId = (await t.api<{ rules: { id: string }[] }>('GET', '/api/v1/alert-rules')).body.rules[0]!.id;
  });
  afterAll(async () => t?.close());

  it('collects the routes to walk from the app itself', () => {
    const urls = walked().map((r) => r.url);
    expect(urls).toContain('/api/v1/patients/:id/readings');
    expect(urls).toContain('/healthz');
    expect(urls.length).toBeGreaterThan(30);
  });

  it('answers hostile path parameters on every route with a 4xx in the contract shape, never a 5xx', async () => {
    const problems: string[] = [];
    for (const r of walked())
      for (const name of paramNames(r.url))
        for (const [v, raw] of [
          ...values.strings.map((x) => [x, false] as const),
          ['a'.repeat(10_240), false] as const,
          ...MALFORMED_PERCENT_ENCODING.map((x) => [x, true] as const),
        ])
          for (const m of methodsOf(r)) {
            const url = withQuery(urlOf(r, [name, v], raw), baseQuery(r));
            const p = await send(r, m, url, m === 'GET' || m === 'DELETE' ? {} : { body: '{}' });
            if (p) problems.push(p);
          }
    expect(problems).toEqual([]);
    expect(statuses.has(401)).toBe(false);
    expect(statuses.has(404)).toBe(true);
    await expectHealthy();
  }, 300_000);

  it('answers hostile query parameters on every route with a 4xx in the contract shape, never a 5xx', async () => {
    const problems: string[] = [];
    for (const r of walked()) {
      const declared = objectSchema(schemaOf(r, 'querystring'))?.properties as Record<string, unknown> | undefined;
      // Declared names one at a time with every value; on routes without a query schema, all
      // common names at once with every value, then one at a time with the values most often fatal.
      const queries: Record<string, string>[] = declared
        ? Object.keys(declared).flatMap((name) => values.strings.map((v) => ({ [name]: v })))
        : [
            ...values.strings.map((v) => Object.fromEntries(COMMON_QUERY_NAMES.map((n) => [n, v]))),
            ...COMMON_QUERY_NAMES.flatMap((n) => MOST_FATAL.map((v) => ({ [n]: v }))),
          ];
      for (const q of queries)
        for (const m of methodsOf(r)) {
          const url = withQuery(urlOf(r), { ...baseQuery(r), ...q });
          const p = await send(r, m, url, m === 'GET' || m === 'DELETE' ? {} : { body: '{}' });
          if (p) problems.push(p);
        }
    }
    expect(problems).toEqual([]);
    await expectHealthy();
  }, 300_000);

  it('answers hostile JSON bodies on every route with a 4xx in the contract shape, never a 5xx', async () => {
    const problems: string[] = [];
    for (const r of walked())
      for (const m of methodsOf(r).filter((x) => x !== 'GET')) {
        const schema = schemaOf(r, 'body');
        const base = example(schema);
        const paths = schema ? fieldPaths(schema) : COMMON_BODY_FIELDS.map((f) => [f]);
        const url = withQuery(urlOf(r), baseQuery(r));
        const bodies = [
          ...paths.flatMap((path) => values.json.map((raw) => bodyWith(schema ? base : {}, path, raw))),
          '{"a\\u0000b":1}',
          '"\\u0000"',
          '1e400',
        ];
        for (const body of bodies) {
          const p = await send(r, m, url, { body });
          if (p) problems.push(p);
        }
      }
    expect(problems).toEqual([]);
    await expectHealthy();
  }, 300_000);

  it('answers a malformed or oversized session cookie on every route, /healthz included, without a 5xx', async () => {
    const problems: string[] = [];
    for (const r of app.registeredRoutes)
      for (const m of methodsOf(r))
        for (const cookie of MALFORMED_COOKIES) {
          const p = await send(r, m, withQuery(urlOf(r), baseQuery(r)), {
            cookie,
            token: false,
            ...(m === 'GET' || m === 'DELETE' ? {} : { body: '{}' }),
          });
          if (p) problems.push(p);
        }
    expect(problems).toEqual([]);
    const health = await app.inject({ method: 'GET', url: '/healthz', headers: { cookie: MALFORMED_COOKIES[0]! } });
    expect(health.statusCode).toBe(200);
  }, 300_000);

  it('answers a 10 KB path segment with 414 and 64 KB of headers with 431, both in the contract shape', async () => {
    const port = t.server.httpPort;
    const long = await rawRequest(
      port,
      `GET /api/v1/patients/${'a'.repeat(10_240)}/latest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\nConnection: close\r\n\r\n`,
    );
    expect(long.status).toBe(414);
    expect(long.body).toEqual({ error: { code: 'uri_too_long', message: expect.stringMatching(/path segment/) } });
    const big = await rawRequest(
      port,
      `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(65_536)}\r\nConnection: close\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    expect(big.body).toEqual({ error: { code: 'headers_too_large', message: expect.stringMatching(/16 KB/) } });
    const cookie = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: vitals_session=${'%'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    expect(cookie.status).toBe(431);
    await expectHealthy();
  });
});

/** Sends raw bytes and reads the whole answer: status and JSON body. */
function rawRequest(port: number, text: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('error', (e) => (chunks.length ? undefined : reject(e)));
    s.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {}
      resolve({ status, body: parsed });
    });
    s.write(text);
  });
}
