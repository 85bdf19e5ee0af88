/** A failed call as the user should read it. */
import { ApiError } from '../api.ts';
import { t } from '../i18n.ts';

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 0) return t('error.network');
  if (err instanceof ApiError) return t('error.server', { code: err.code, message: err.message });
  return t('error.server', { code: 'client', message: err instanceof Error ? err.message : String(err) });
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
