import type { Advisory } from "../advisory/osv-schema.js";
import type { Validators } from "../http/validators.js";
import type { PypiUpdate } from "./pypi/pypi-facts-store.js";
import type { RecordFailure, SkippedRecord } from "./record-skips.js";

/** Receives records as a source reads them, in batches, so memory stays bounded. `seed` batches are history, not news. */
export type RecordSink = (records: Advisory[], opts: { readonly seed: boolean; readonly source: string }) => Promise<void>;

export interface PollOutcome {
  readonly cursor?: string;
  /** What the next poll need not fetch again at the cursor's instant (see SourceState). */
  readonly seenAtCursor?: readonly string[];
  readonly validators: Record<string, Validators>;
  /** Records read and handed to the sink, and records skipped as malformed. */
  readonly read: number;
  readonly skipped: number;
  /** What is wrong with the upstream's data though the poll went on (shown by status until a poll finds it gone). */
  readonly warning?: string;
  /** Records that could not be taken and were passed over (kept, for status, until taken or changed). */
  readonly skippedRecords?: readonly SkippedRecord[];
  /** Exploitation data read (the priority source): the KEV list and EPSS scores, each when it changed. */
  readonly priority?: PriorityUpdate;
  /** Watched projects whose PyPI data changed (the pypi source). */
  readonly pypi?: readonly PypiUpdate[];
}

export interface PriorityUpdate {
  readonly kev?: readonly string[];
  readonly epss?: ReadonlyMap<string, number>;
}

/**
 * Polls one upstream: hands records that changed since `state.cursor` to the sink (in batches, so
 * memory stays bounded) and returns everything else it found; it stores nothing and publishes
 * nothing itself, and never saves the cursor.
 */
export interface Source {
  readonly id: string;
  readonly intervalMs: number;
  poll(state: SourceState, sink: RecordSink, signal: AbortSignal): Promise<PollOutcome>;
}

/** What a source remembers between polls, and its health for `status`. */
export interface SourceState {
  readonly cursor?: string;
  /**
   * Rows at the cursor's own instant or ahead of it (dated after now) already fetched
   * ("id@modified"): they are read again at every poll, and a repeat of one costs nothing.
   */
  readonly seenAtCursor?: readonly string[];
  readonly validators: Record<string, Validators>;
  readonly lastSuccess?: string;
  readonly lastError?: { readonly at: string; readonly message: string };
  /** The last successful poll's warning (PollOutcome.warning). */
  readonly warning?: string;
  /** The last successful poll's skipped records (PollOutcome.skippedRecords). */
  readonly skippedRecords?: readonly SkippedRecord[];
  /** Records whose fetch failed on the last polls, counted until FAILED_POLLS_BEFORE_SKIP. */
  readonly failingRecords?: readonly RecordFailure[];
}
