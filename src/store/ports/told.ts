import type { ChannelKey } from "../../channel.js";

/** A platform's reference to a sent message, kept so that later changes can edit it. */
export interface MessageRef {
  readonly channel: ChannelKey;
  readonly id: string;
  /** When the platform accepted it (set by the delivery attempt; absent in records from before). */
  readonly at?: string;
}

export type Told = Record<ChannelKey, { readonly revision: number; readonly ref: MessageRef }>;

/** Which channels got which message about an advisory: what edits and de-duplication go by. */
export interface ToldStore {
  get(advisoryId: string): Promise<Told>;
  record(item: { readonly channel: ChannelKey; readonly advisoryId: string; readonly revision: number }, ref: MessageRef): Promise<void>;
  /** After advisories merged: channels told about `from` count as told about `into` (revision 0, same message). */
  adopt(into: string, from: readonly string[]): Promise<void>;
}

/** Who was told, as the rest of the bot reads it (edits, de-duplication, merges): each Delivery passes it through. */
export interface DeliveredTo {
  /** Channels already told about an advisory, with the revision and message they got. */
  told(advisoryId: string): Promise<Told>;
  adopt(into: string, from: readonly string[]): Promise<void>;
}
