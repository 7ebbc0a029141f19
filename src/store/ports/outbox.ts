import type { ChannelKey } from "../../channel.js";
import type { Notification, Reply } from "../../message.js";
import type { DeliveredTo, MessageRef } from "./told.js";

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

export type NewDelivery = Omit<OutboxItem, "key" | "attempts" | "notBefore" | "enqueuedAt">;
export interface QueuedDelivery {
  readonly item: NewDelivery;
  /** Not before this moment (the end of quiet hours); now when unset. */
  readonly notBefore?: Date;
}

/** Queues messages for their platforms, once per (channel, advisory, revision). Written before the cursor moves. */
export interface Enqueue {
  /** False when this (channel, advisory, revision) is already pending or was delivered. */
  put(item: NewDelivery, now: Date, notBefore?: Date): Promise<boolean>;
  /** Many at once (one advisory's fan-out); returns how many were new. */
  putMany(entries: readonly QueuedDelivery[], now: Date): Promise<number>;
}

/** What is waiting, for `status`, metrics and the web status page. */
export interface QueueView {
  /** Pending and parked items. */
  list(): Promise<OutboxItem[]>;
  /** How many are pending and parked, without reading the items (for metrics scrapes). */
  depth(): Promise<{ readonly pending: number; readonly parked: number }>;
}

/**
 * Where messages wait for their platform, keyed by (channel, advisory, revision): the embedded
 * outbox, or BullMQ queues when QUEUE_URL is set.
 */
export interface Delivery extends Enqueue, QueueView, DeliveredTo {}

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

export function outboxKey(channel: ChannelKey, advisoryId: string, revision: number): string {
  return `${channel}|${advisoryId}|${revision}`;
}
