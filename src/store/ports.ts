import type { Advisory } from "../advisory/osv-schema.js";
import type { Change, StoredAdvisory } from "../advisory/diff.js";
import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import type { Notification, Reply } from "../message.js";
import type { SourceState } from "../sources/source.js";

/** Local mirror of advisories, looked up by id, alias or package; `upsertMany` says what changed. */
export interface AdvisoryStore {
  get(idOrAlias: string): Promise<StoredAdvisory | undefined>;
  byPackage(name: NormalizedName): Promise<StoredAdvisory[]>;
  /**
   * Stores source records and merges those that alias each other into one advisory (union-find over
   * ids and aliases); one Change per record, for its advisory. `quiet`: store without making news.
   */
  upsertMany(records: readonly Advisory[], opts?: { readonly quiet?: boolean; readonly source?: string }): Promise<Change[]>;
  /** Sets the exploitation signals of an advisory; a KEV addition is a material change. */
  setPriority(id: string, signals: { readonly kev: boolean; readonly epss?: number }): Promise<Change | undefined>;
  /** Marks the fan-out of an event as finished, so a re-read of the record is not news again. */
  fannedOut(id: string, revision: number): Promise<void>;
  packageNames(): Promise<string[]>;
  count(): Promise<number>;
}

/** Channel records: watches, mode, digest time and zone, severity floor, mutes. */
export interface ChannelStore {
  get(key: ChannelKey): Promise<Channel | undefined>;
  update(key: ChannelKey, fn: (c: Channel) => Channel): Promise<Channel>;
  list(): Promise<Channel[]>;
  /** Writes many channel records at once (restoring a backup, loading a benchmark population). */
  putMany(channels: readonly Channel[]): Promise<void>;
  /** Moves a channel's record to a new key (the platform renamed the chat); returns the moved record. */
  move(from: ChannelKey, to: ChannelKey): Promise<Channel | undefined>;
  /** A token that changes whenever any channel is written (by any instance sharing the store). */
  revision(): Promise<string | undefined>;
}



export interface CursorStore {
  get(source: string): Promise<SourceState>;
  set(source: string, state: SourceState): Promise<void>;
  all(): Promise<Record<string, SourceState>>;
}

/** A platform's reference to a sent message, kept so that later changes can edit it. */
export interface MessageRef {
  readonly channel: ChannelKey;
  readonly id: string;
  /** When the platform accepted it (set by the delivery attempt; absent in records from before). */
  readonly at?: string;
}

export interface OutboxItem {
  readonly key: string;
  readonly channel: ChannelKey;
  readonly advisoryId: string;
  readonly revision: number;
  /** An alert, or a prepared text such as one part of a digest. */
  readonly message: Notification | Reply;
  readonly enqueuedAt: string;
  readonly attempts: number;
  readonly notBefore: string;
  readonly lastError?: string;
  /** Set when retries are exhausted or the failure is permanent: kept, visible, not retried. */
  readonly parked?: string;
  /** When a send of it first began (platforms that look up what they sent, after a crash). */
  readonly sendingSince?: string;
}

export type Told = Record<ChannelKey, { readonly revision: number; readonly ref: MessageRef }>;

/** Which channels got which message about an advisory: what edits and de-duplication go by. */
export interface ToldStore {
  get(advisoryId: string): Promise<Told>;
  record(item: Pick<OutboxItem, "channel" | "advisoryId" | "revision">, ref: MessageRef): Promise<void>;
  /** After advisories merged: channels told about `from` count as told about `into` (revision 0, same message). */
  adopt(into: string, from: readonly string[]): Promise<void>;
}

export type NewDelivery = Omit<OutboxItem, "key" | "attempts" | "notBefore" | "enqueuedAt">;
export interface QueuedDelivery {
  readonly item: NewDelivery;
  /** Not before this moment (the end of quiet hours); now when unset. */
  readonly notBefore?: Date;
}

/**
 * Where messages wait for their platform, keyed by (channel, advisory, revision): the embedded
 * outbox, or BullMQ queues when QUEUE_URL is set. Written before the cursor moves.
 */
export interface Delivery {
  /** False when this (channel, advisory, revision) is already pending or was delivered. */
  put(item: NewDelivery, now: Date, notBefore?: Date): Promise<boolean>;
  /** Many at once (one advisory's fan-out); returns how many were new. */
  putMany(entries: readonly QueuedDelivery[], now: Date): Promise<number>;
  /** Pending and parked items, for `status`. */
  list(): Promise<OutboxItem[]>;
  /** How many are pending and parked, without reading the items (for metrics scrapes). */
  depth(): Promise<{ readonly pending: number; readonly parked: number }>;
  adopt(into: string, from: readonly string[]): Promise<void>;
  /** Channels already told about an advisory, with the revision and message they got. */
  told(advisoryId: string): Promise<Told>;
}

/** The embedded outbox, drained by the in-process dispatcher; an item is removed only after the platform accepted it. */
export interface Outbox extends Delivery {
  /** Items due by `now`, oldest first; only those for `platform`'s channels when it is given. */
  due(now: Date, limit: number, platform?: string): Promise<OutboxItem[]>;
  done(key: string, ref: MessageRef): Promise<void>;
  defer(key: string, until: Date, reason: string): Promise<void>;
  park(key: string, reason: string): Promise<void>;
  /** Marks items as being sent (unless marked already), before their sends begin. */
  sending(keys: readonly string[], at: Date): Promise<void>;
  /** Drops an item without recording a delivery (it was re-addressed). */
  remove(key: string): Promise<void>;
}

/** One alert waiting for a channel's next digest. */
export interface DigestEntry {
  readonly advisoryId: string;
  readonly revision: number;
  readonly notification: Notification;
  readonly at: string;
}

/** Alerts held for digest channels; an advisory appears once (its latest revision). */
export interface DigestQueue {
  add(channel: ChannelKey, entry: DigestEntry): Promise<void>;
  list(channel: ChannelKey): Promise<DigestEntry[]>;
  /** Removes exactly these entries (ones added meanwhile stay for the next digest). */
  remove(channel: ChannelKey, entries: readonly DigestEntry[]): Promise<void>;
}

export function outboxKey(channel: ChannelKey, advisoryId: string, revision: number): string {
  return `${channel}|${advisoryId}|${revision}`;
}
