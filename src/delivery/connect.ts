import type { Clock } from "../clock.js";
import type { CommandHandler } from "../commands/execute.js";
import { CredentialsRejectedError, errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import type { ChatAdapter } from "./chat-adapter.js";

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;

/** The wait before attempt `n + 1` after `n` failed ones: 5 s, doubling, at most 5 min. */
export function retryDelay(failures: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

/**
 * Starts a chat adapter, and while its platform cannot be reached (or refuses to start), says so
 * once per attempt, naming the host and the next try, and tries again with backoff. The rest of
 * the bot runs meanwhile: the caller does not wait for this. Resolves once started or stopped, or
 * at once when the platform rejects the credentials (one line naming the variable).
 */
export async function keepConnecting(adapter: ChatAdapter, onCommand: CommandHandler, deps: { readonly clock: Clock; readonly log: Logger; readonly signal: AbortSignal }): Promise<void> {
  const { clock, log, signal } = deps;
  const where = { platform: adapter.platform, host: adapter.host };
  for (let failures = 0; !signal.aborted; ) {
    try {
      await adapter.start(onCommand);
      if (failures > 0) log.info({ ...where, failures }, `connected to ${adapter.platform} at ${adapter.host}`);
      return;
    } catch (err) {
      if (err instanceof CredentialsRejectedError) {
        log.error({ ...where, variable: err.variable }, `${err.message}: set a valid ${err.variable} and restart; ${adapter.platform} stays off, the rest of the bot keeps running`);
        return;
      }
      failures++;
      const wait = retryDelay(failures);
      const at = new Date(clock.now().getTime() + wait).toISOString();
      log.warn({ ...where, err: errorMessage(err), failures, nextRetryAt: at }, `cannot reach ${adapter.platform} at ${adapter.host}; retrying in ${Math.round(wait / 1000)} s (the rest of the bot keeps running)`);
      await clock.sleep(wait, signal);
    }
  }
}
