// Small helpers about errors and promises shared by every layer. Pure: no Node imports.

/** A store answer: at once from the local SQLite file, later from the cluster's shared MySQL database. */
export type MaybePromise<T> = T | Promise<T>;

/** The message of anything thrown, for logs and error replies. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err); // objects thrown by page code read better as JSON
  } catch {
    return String(err); // cycles
  }
}

/**
 * `work`, or a rejection with `message` once `ms` have passed. The timer is cleared when the
 * work settles and never keeps the process alive. Callers wanting a fallback add `.catch`.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
