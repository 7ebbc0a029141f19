import type { ChannelKey } from "../channel.js";
import type { CommandHandler } from "../commands/execute.js";
import type { Notification, Reply } from "../render/notification.js";
import type { MessageRef } from "../store/ports/told.js";

/**
 * One chat platform: lifecycle, send/edit of rendered messages, and inbound commands passed to the core.
 * `send` throws RateLimitedError (wait), PermanentDeliveryError (give up, pause the channel) or anything else (transient).
 */
export interface ChatAdapter {
  readonly platform: string;
  /** The host its API is reached at, for the log when it cannot be ("console" for the console). */
  readonly host: string;
  /**
   * `maxLength`: the longest plain-text Reply that still fits one message (digests are split to it).
   * `idempotentSend`: the platform drops a repeated `send` of the same message (Discord's nonce), so
   * several may be in flight at once without a crash causing more than one duplicate.
   * Replies longer than `maxLength` are paged (commands/pager.ts).
   */
  readonly capabilities: {
    readonly edit: boolean;
    readonly maxLength: number;
    readonly idempotentSend: boolean;
    /** How people type a command here ("/pysec " on Slack and Discord, "/" on Telegram), for hints. */
    readonly commandPrefix?: string;
  };
  /** Connects and starts taking commands; after a failure it may be called again (main.ts retries). */
  start(onCommand: CommandHandler): Promise<void>;
  stop(): Promise<void>;
  /** `key` (the outbox key) goes with the message where the platform can carry it, for `findSent`. */
  send(to: ChannelKey, msg: Notification | Reply, key?: string): Promise<MessageRef>;
  /**
   * The message sent with `key` to `to` since `since`, if there is one: how a platform without an
   * idempotent send tells, after a crash, whether a message in flight arrived. Where it exists,
   * several messages may be in flight at once.
   */
  findSent?(to: ChannelKey, key: string, since: Date): Promise<MessageRef | undefined>;
  edit(ref: MessageRef, msg: Notification): Promise<MessageRef>;
}
