/** The server's HTTP API, typed. The session is the HttpOnly cookie the login call sets. */
import type { Metric } from '@vitals/contract';
import type { ReadingsResponse } from './columnar.ts';
import type { Locale } from './i18n.ts';

export interface User {
  id: string;
  displayName: string;
  email: string;
  locale: Locale;
  profession?: string;
}

/** The caller as GET /api/v1/me answers. */
export interface Me extends User {
  mfa?: { enrolled: boolean; required: boolean; sessionLimitedToEnrolment: boolean };
}

/** The login's answer: a session, or the second-factor step. */
export type LoginAnswer =
  | { token: string; user: User; mfaEnrolmentRequired?: true }
  | { mfaRequired: true; mfaToken: string };

export interface LatestValue {
  value: number;
  unit: string;
  time: string;
}
export type LatestMetrics = Partial<Record<Metric, LatestValue>>;

export interface WallPatient {
  id: string;
  displayName: string;
  timezone: string;
  metrics: LatestMetrics;
}

export interface Patient {
  id: string;
  displayName: string;
  birthDate?: string;
  timezone: string;
}

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

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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

export const api = {
  login: (email: string, password: string) => request<LoginAnswer>('POST', '/api/v1/auth/login', { email, password }),
  loginMfa: (mfaToken: string, code: string) =>
    request<{ token: string; user: User; mfaEnrolmentRequired?: true }>('POST', '/api/v1/auth/login/mfa', {
      mfaToken,
      code,
    }),
  enrolTotp: () => request<{ secret: string; otpauthUri: string }>('POST', '/api/v1/auth/totp/enrol'),
  confirmTotp: (code: string) => request<{ recoveryCodes: string[] }>('POST', '/api/v1/auth/totp/confirm', { code }),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),
  me: () => request<Me>('GET', '/api/v1/me'),
  vapidKey: async () => (await request<{ publicKey: string }>('GET', '/api/v1/push/vapid-public-key')).publicKey,
  addPushContact: (subscription: { endpoint: string; keys: { p256dh: string; auth: string } }, label: string) =>
    request<unknown>('POST', '/api/v1/me/contacts', { channel: 'webpush', subscription, label }),
  wall: (signal?: AbortSignal) => request<{ patients: WallPatient[] }>('GET', '/api/v1/wall', undefined, signal),
  patient: (id: string, signal?: AbortSignal) =>
    request<Patient>('GET', `/api/v1/patients/${encodeURIComponent(id)}`, undefined, signal),
  latest: (id: string, signal?: AbortSignal) =>
    request<{ metrics: LatestMetrics }>('GET', `/api/v1/patients/${encodeURIComponent(id)}/latest`, undefined, signal),
  readings: (id: string, q: { metric: Metric; from: Date; to: Date; maxPoints: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({
      metric: q.metric,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      maxPoints: String(Math.max(1, Math.round(q.maxPoints))),
    });
    return request<ReadingsResponse>(
      'GET',
      `/api/v1/patients/${encodeURIComponent(id)}/readings?${params}`,
      undefined,
      signal,
    );
  },
};
