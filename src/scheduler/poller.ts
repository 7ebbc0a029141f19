import type { Clock } from "../clock.js";
import { errorMessage, UpstreamError } from "../errors.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { RecordsFailedError } from "../sources/record-skips.js";
import type { PollOutcome, RecordSink, Source } from "../sources/source.js";
import type { CursorStore } from "../store/ports/cursors.js";

export interface PollerDeps {
  readonly sources: readonly Source[];
  readonly cursors: CursorStore;
  readonly sink: RecordSink;
  /**
   * Where what a poll returned besides records goes (ingest stores and publishes it), before the
   * cursor moves; `baseline` on a source's first poll.
   */
  readonly apply?: (outcome: PollOutcome, baseline: boolean) => Promise<void>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: Metrics;
}

export interface Poller {
  /** Polls one source once; records success or failure for `status`. Never throws. */
  pollOnce(source: Source, signal?: AbortSignal): Promise<PollOutcome | undefined>;
  /** One independent loop per source until `signal` aborts: a failing source never delays another. */
  run(signal: AbortSignal): Promise<void>;
}

const MAX_BACKOFF_MS = 3_600_000;
/** A failed poll is tried again this soon, doubling: an upstream back after a blip is read within seconds, not at the next interval. */
const FIRST_RETRY_MS = 5_000;

export function createPoller(deps: PollerDeps): Poller {
  const { cursors, clock, log } = deps;
  const lastFailure = new Map<string, UpstreamError | undefined>();

  async function pollOnce(source: Source, signal: AbortSignal = new AbortController().signal): Promise<PollOutcome | undefined> {
    const state = await cursors.get(source.id);
    const timer = deps.metrics?.pollDuration.startTimer({ source: source.id });
    try {
      const outcome = await source.poll(state, deps.sink, signal);
      await deps.apply?.(outcome, state.cursor === undefined);
      // The cursor moves only now, after the sink has stored everything it covers.
      const { lastError: _cleared, seenAtCursor: _replaced, warning: _rechecked, skippedRecords: _reskipped, failingRecords: _recounted, ...rest } = state;
      await cursors.set(source.id, {
        ...rest,
        ...(outcome.cursor && { cursor: outcome.cursor }),
        ...(outcome.seenAtCursor && { seenAtCursor: outcome.seenAtCursor }),
        ...(outcome.warning && { warning: outcome.warning }),
        ...(outcome.skippedRecords?.length && { skippedRecords: outcome.skippedRecords }),
        validators: outcome.validators,
        lastSuccess: clock.now().toISOString(),
      });
      lastFailure.set(source.id, undefined);
      deps.metrics?.polls.inc({ source: source.id, outcome: "ok" });
      return outcome;
    } catch (err) {
      // Stopping aborts the polls in flight: that is the bot stopping, not the upstream failing.
      if (signal.aborted) return undefined;
      const message = errorMessage(err);
      log.warn({ source: source.id, err: message }, "poll failed; cursor unchanged");
      // Recording the failure is a write too; on a full disk it fails as well, and the loop goes on.
      // A record that failed is counted, so that one failing the same way poll after poll is passed over.
      const failingRecords = err instanceof RecordsFailedError ? { failingRecords: err.failing } : {};
      await cursors.set(source.id, { ...state, ...failingRecords, lastError: { at: clock.now().toISOString(), message } }).catch((e: unknown) => log.warn({ source: source.id, err: errorMessage(e) }, "cannot record the failed poll"));
      lastFailure.set(source.id, err instanceof UpstreamError ? err : new UpstreamError(message, source.id));
      deps.metrics?.polls.inc({ source: source.id, outcome: "failed" });
      return undefined;
    } finally {
      timer?.();
    }
  }

  async function loop(source: Source, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      const ok = (await pollOnce(source, signal)) !== undefined;
      failures = ok ? 0 : failures + 1;
      const retryAfter = lastFailure.get(source.id)?.retryAfterMs ?? 0;
      const base = ok ? source.intervalMs : Math.min(MAX_BACKOFF_MS, FIRST_RETRY_MS * 2 ** (failures - 1));
      const jitter = base * 0.1 * (clock.random() * 2 - 1);
      await clock.sleep(Math.min(MAX_BACKOFF_MS, Math.max(retryAfter, base + jitter)), signal);
    }
  }

  return {
    pollOnce,
    run: (signal) => Promise.all(deps.sources.map((s) => loop(s, signal))).then(() => undefined),
  };
}
