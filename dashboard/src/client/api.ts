/**
 * The server's HTTP API: one `request` for every call, and the types of its answers read from the
 * generated OpenAPI types (api-types.ts, `pnpm -s api-types`), never copied by hand. The session is
 * the HttpOnly cookie the login call sets. Each feature keeps its own calls in its `api.ts`.
 */
import type { paths } from './api-types.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Responses<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R } ? R : never;

/** The JSON body of a route's success answer (200 or 201). */
export type Answer<P extends keyof paths, M extends Method = 'get'> =
  Responses<P, M> extends { 200: infer R } ? JsonOf<R> : Responses<P, M> extends { 201: infer R } ? JsonOf<R> : never;

/** The JSON body a route accepts. */
export type Body<P extends keyof paths, M extends Method = 'post'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** An answer other than 2xx, or no answer (`status` 0, code `network`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: () => void = () => {};

/** Called whenever a call answers 401: the app shows the login form. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      signal: signal ?? null,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (a proxy's error page): reported below with the status
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const apiError = new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : response.statusText,
    );
    // A failed login is a 401 too; it is shown on the form, not handled as an expired session.
    if (response.status === 401 && !path.startsWith('/api/v1/auth/login')) onUnauthorized();
    throw apiError;
  }
  return json as T;
}

/** A path segment, escaped. */
export const seg = (s: string): string => encodeURIComponent(s);

export type Me = Answer<'/api/v1/me'>;
export type User = Pick<Me, 'id' | 'displayName' | 'email' | 'locale' | 'profession'>;

export const sessionApi = {
  me: () => request<Me>('GET', '/api/v1/me'),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),
  vapidKey: async () => (await request<{ publicKey: string }>('GET', '/api/v1/push/vapid-public-key')).publicKey,
  addPushContact: (subscription: { endpoint: string; keys: { p256dh: string; auth: string } }, label: string) =>
    request<unknown>('POST', '/api/v1/me/contacts', { channel: 'webpush', subscription, label }),
};
