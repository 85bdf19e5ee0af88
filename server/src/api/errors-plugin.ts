/**
 * The one error mapping: every way a request can fail, answered in the contract's shape
 * `{"error":{"code","message"}}`, for every route including ones added later (issue 11 item 9):
 * the error handler (AppError, validation errors, database data errors, anything else as a
 * generic 500), unknown routes (404), the router's own errors (a bad or overlong URL), the
 * errors node's HTTP parser answers before fastify sees a request (431 headers too large, 408),
 * and the refusal of control characters in any string of params, query and body.
 *
 * `errorsPlugin` is registered first and not encapsulated, so it covers every route; the router
 * and parser handlers are fastify constructor options (`frameworkErrors`, `clientErrorHandler`).
 * The documented exception: the one-time acknowledgement link answers people in a browser with
 * an HTML page of its own (api/alerts/ack-link.ts).
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, badRequest, clientErrorOfDatabase, codeOfStatus, errorBody } from '../errors.ts';
import { refuseInfiniteNumbers } from './finite-numbers.ts';

// C0 controls and DEL, except tab, line feed and carriage return (multi-line text is allowed).
// NUL in particular: PostgreSQL text cannot hold it, so it would fail deep inside a handler.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The path of the first string (or object key) holding a control character, e.g. "body.name". */
export function controlCharacterAt(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v === 'string') return CONTROL.test(v) ? path : undefined;
  if (depth > 32 || v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      const p = controlCharacterAt(x, `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    if (CONTROL.test(k)) return `${path} (a field name)`;
    const p = controlCharacterAt(x, `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return undefined;
}

/** preValidation hook: body, query and params are parsed, nothing has used them yet. */
export async function refuseControlCharacters(req: FastifyRequest): Promise<void> {
  const at =
    controlCharacterAt(req.params, 'params') ??
    controlCharacterAt(req.query, 'query') ??
    controlCharacterAt(req.body, 'body');
  if (at)
    throw badRequest(
      `${at} contains a control character (such as NUL); remove it: only tab and line breaks are allowed in text`,
    );
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) return reply.code(err.status).send(errorBody(err.code, err.message));
  if (err.validation) return reply.code(400).send(errorBody('bad_request', err.message));
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return reply.code(err.statusCode).send(errorBody(codeOfStatus(err.statusCode), err.message));
  const fromDb = clientErrorOfDatabase(err, req);
  if (fromDb) {
    // At info, below the http logger's warn (app.ts): a flood of hostile input must not flood
    // the log. A query of ours that breaks on stored data lands here too; lower that level to see it.
    req.log.info({ err }, 'the database refused a value of the request');
    return reply.code(fromDb.status).send(errorBody(fromDb.code, fromDb.message));
  }
  req.log.error({ err }, 'request failed');
  return reply.code(500).send(errorBody('internal', 'internal error; the server log has the detail'));
}

/** Longest path parameter the router matches (find-my-way's `maxParamLength`); ids are far shorter. */
export const MAX_PARAM_LENGTH = 100;

/** Fastify's `frameworkErrors`: the router refused the URL before any route ran. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return reply
      .code(414)
      .send(
        errorBody(
          'uri_too_long',
          `a path segment is longer than ${MAX_PARAM_LENGTH} characters; no resource has such a name`,
        ),
      );
  if (err.code === 'FST_ERR_BAD_URL')
    return reply.code(400).send(errorBody('bad_request', 'the URL is not valid (malformed percent-encoding?)'));
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  return reply.code(status).send(errorBody(codeOfStatus(status), err.message));
}

/**
 * Fastify's `clientErrorHandler` (node's `clientError` event): the HTTP parser refused the
 * request, so there is no request object; write the response on the socket and close it.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          errorBody('headers_too_large', 'the request line and headers exceed 16 KB; send less (a smaller cookie?)'),
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, errorBody('timeout', 'the request did not arrive in time; send it again')]
        : [400, errorBody('bad_request', 'the request is not valid HTTP/1.1')];
  const text = JSON.stringify(body);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  socket.destroy();
}

/** Error handler, 404 for unknown routes and the control-character and finite-number checks, for every route. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(errorHandler);
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}`)),
    );
    app.addHook('preValidation', refuseControlCharacters);
    app.addHook('preHandler', refuseInfiniteNumbers);
  },
  { name: 'errors', fastify: '5.x' },
);
