/** Wall time, waiting and the randomness of jittered delays, injected so that tests drive them by hand. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1): the jitter of backoffs and poll intervals. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  random: () => Math.random(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // setTimeout fires at once for a delay past 2^31 - 1 ms (about 24.8 days).
      const timer = setTimeout(done, Math.min(Math.max(0, ms), 2_147_483_647));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};
