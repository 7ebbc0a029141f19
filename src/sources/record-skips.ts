import { BodyTooLargeError, UpstreamError } from "../errors.js";
import type { SourceState } from "./source.js";

/** A record a source could not take and passed over, so that one bad record never blocks the feed. */
export interface SkippedRecord {
  readonly id: string;
  /** The version passed over (OSV's `modified`, a commit for the GitHub sources): a newer one is tried again. */
  readonly version?: string;
  readonly reason: string;
}

/** A record whose fetch failed on the last polls in the same way (kept to count them). */
export interface RecordFailure {
  readonly key: string;
  readonly reason: string;
  readonly polls: number;
}

/** Polls a record may fail the same way before it is passed over. */
export const FAILED_POLLS_BEFORE_SKIP = 3;
/** Skipped records kept for `status` (the newest). */
const KEPT = 100;

/**
 * A poll failed because some records could not be fetched; it carries their failure counts so the
 * poller keeps them, and a later poll can tell a record that keeps failing from a passing fault.
 */
export class RecordsFailedError extends UpstreamError {
  override name = "RecordsFailedError";
  readonly failing: readonly RecordFailure[];
  constructor(first: UpstreamError, failing: readonly RecordFailure[]) {
    super(first.message, first.source, first.status, first.retryAfterMs);
    this.failing = failing;
  }
}

/** A body over the limit will be over it on every try: such a record is skipped at once. */
export function isPermanentFailure(err: unknown): err is BodyTooLargeError {
  return err instanceof BodyTooLargeError;
}

/**
 * One poll's account of the records it passed over: what earlier polls skipped (kept until the
 * record is taken or comes in a newer version), what this poll skips, and what failed and may be
 * skipped on a later poll.
 */
export function recordSkips(state: Pick<SourceState, "skippedRecords" | "failingRecords">) {
  const earlier = new Map((state.skippedRecords ?? []).map((s) => [s.id, s]));
  const prior = new Map((state.failingRecords ?? []).map((f) => [f.key, f]));
  const now: SkippedRecord[] = [];
  const failed: { id: string; version: string | undefined; key: string; err: UpstreamError; polls: number }[] = [];
  const skip = (id: string, version: string | undefined, reason: string): void => {
    earlier.delete(id);
    now.push({ id, ...(version !== undefined && { version }), reason });
  };
  return {
    /** Passed over for good (until its version changes): it cannot be taken as it is. */
    skip,
    /** Taken: no longer shown as skipped. */
    taken(id: string): void {
      earlier.delete(id);
    },
    /** A fetch failed: a body over the limit is skipped at once, anything else counted (see settle). */
    failed(id: string, version: string | undefined, err: UpstreamError): void {
      if (isPermanentFailure(err)) return skip(id, version, err.reason);
      const key = `${id}@${version ?? ""}`;
      const before = prior.get(key);
      failed.push({ id, version, key, err, polls: before?.reason === err.message ? before.polls + 1 : 1 });
    },
    /**
     * Skips each record that failed the same way on FAILED_POLLS_BEFORE_SKIP polls in a row, where
     * the failure is the record's own (`upstreamAnswers`: other records came, so the upstream
     * works; an outage never skips anything), and throws when any failure is left: the poll
     * fails, its cursor stays, and the counts are kept for the next poll.
     */
    settle(upstreamAnswers: boolean): void {
      const left: RecordFailure[] = [];
      let first: UpstreamError | undefined;
      for (const f of failed) {
        if (f.polls >= FAILED_POLLS_BEFORE_SKIP && upstreamAnswers) skip(f.id, f.version, `${f.err.message} (on ${f.polls} polls in a row)`);
        else {
          left.push({ key: f.key, reason: f.err.message, polls: f.polls });
          first ??= f.err;
        }
      }
      if (first) throw new RecordsFailedError(first, left);
    },
    /** What the poll outcome keeps: the skipped records, newest first. */
    get list(): readonly SkippedRecord[] {
      return [...now, ...earlier.values()].slice(0, KEPT);
    },
  };
}

export type RecordSkips = ReturnType<typeof recordSkips>;

/** "1 record skipped: PYSEC-2026-1: larger than 4 MB", a few named; undefined when none. */
export function describeSkipped(skipped: readonly SkippedRecord[] | undefined, shown = 3): string | undefined {
  if (!skipped?.length) return undefined;
  const named = skipped.slice(0, shown).map((s) => `${s.id}: ${s.reason}`).join("; ");
  const more = skipped.length > shown ? `; and ${skipped.length - shown}${skipped.length >= KEPT ? "+" : ""} more` : "";
  return `${skipped.length}${skipped.length >= KEPT ? "+" : ""} ${skipped.length === 1 ? "record" : "records"} skipped: ${named}${more}`;
}
