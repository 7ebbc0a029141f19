import type { ChannelKey } from "../../channel.js";
import type { Notification } from "../../message.js";

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
