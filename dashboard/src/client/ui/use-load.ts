/** Loads data when `deps` change; `reload()` loads again. Aborted when the component goes away. */
import { useEffect, useState } from 'preact/hooks';
import { errorMessage, isAbort } from './errors.ts';

export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [...deps, version]);
  return { data, error, reload: () => setVersion((v) => v + 1) };
}
