// Quitting stops the bridge first (slots closed, archive flushed), once, with a deadline so a
// stuck browser can never keep the app from exiting.

export interface QuitCoordinator {
  /** True once quitting began (window close must then really close). */
  readonly quitting: boolean;
  /**
   * Call from `before-quit`. Returns true when the quit must be held (preventDefault) while the
   * bridge stops; `exit` is called when it has.
   */
  beforeQuit(): boolean;
}

export interface QuitOptions {
  stop: () => Promise<void>;
  exit: (code: number) => void;
  timeoutMs?: number;
  onError?: (err: unknown) => void;
}

export function createQuitCoordinator({ stop, exit, timeoutMs = 15_000, onError }: QuitOptions): QuitCoordinator {
  let phase: 'running' | 'stopping' | 'stopped' = 'running';
  return {
    get quitting() {
      return phase !== 'running';
    },
    beforeQuit() {
      if (phase === 'stopped') return false;
      if (phase === 'stopping') return true;
      phase = 'stopping';
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the bridge did not stop within ${timeoutMs} ms`)), timeoutMs);
      });
      Promise.race([stop(), deadline])
        .then(
          () => 0,
          (err: unknown) => {
            onError?.(err);
            return 1;
          },
        )
        .then((code) => {
          clearTimeout(timer);
          phase = 'stopped';
          exit(code);
        });
      return true;
    },
  };
}

/** The start-up failure as the owner should read it (the log keeps the details). */
export function startupErrorMessage(err: unknown, productName: string, isConfigError: boolean): string {
  const e = err as NodeJS.ErrnoException & { port?: number };
  if (isConfigError) return `Configuration problem: ${e.message}`;
  if (e?.code === 'EADDRINUSE') {
    const port = e.port ?? /:(\d+)\s*$/.exec(e.message ?? '')?.[1];
    return `Port ${port ?? '(configured)'} is already used by another program, perhaps ${productName} running without the desktop app. Close it, or set PORT to another number.`;
  }
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return `${productName} was not allowed to use a file or port it needs: ${e.message}`;
  return `${productName} could not start: ${e instanceof Error ? e.message : String(err)}`;
}
