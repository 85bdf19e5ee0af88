/**
 * JSON calls against a running server, for tests and benchmarks: one helper for every kit
 * (the in-process test server, the alert test server, real server processes).
 */
export interface ApiAnswer<T> {
  status: number;
  /** The parsed JSON body; the text when the body is not JSON (an HTML page); undefined when empty. */
  body: T;
}

export type ApiCall = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) => Promise<ApiAnswer<T>>;

/** Calls `base` + path; a string body is sent as it is (hostile-input tests), anything else as JSON. */
export function httpApi(base: string): ApiCall {
  return async <T>(method: string, path: string, body?: unknown, token?: string | null) => {
    const r = await fetch(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: r.status, body: parsed as T };
  };
}
