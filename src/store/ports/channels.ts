import type { Channel, ChannelKey } from "../../channel.js";

/** Channel records: watches, mode, digest time and zone, severity floor, mutes. */
export interface ChannelStore {
  get(key: ChannelKey): Promise<Channel | undefined>;
  update(key: ChannelKey, fn: (c: Channel) => Channel): Promise<Channel>;
  list(): Promise<Channel[]>;
  /** Every record, a chunk at a time, so a large population is never held twice while it is read. */
  forEach(visit: (channel: Channel) => void): Promise<void>;
  /** Writes many channel records at once (restoring a backup, loading a benchmark population). */
  putMany(channels: readonly Channel[]): Promise<void>;
  /** Moves a channel's record to a new key (the platform renamed the chat); returns the moved record. */
  move(from: ChannelKey, to: ChannelKey): Promise<Channel | undefined>;
  /** A token that changes whenever any channel is written (by any instance sharing the store). */
  revision(): Promise<string | undefined>;
}
