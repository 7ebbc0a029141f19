import { App, LogLevel, SocketModeReceiver, type Receiver } from "@slack/bolt";
import type { Clock } from "../../src/clock.js";
import type { CommandHandler } from "../../src/commands/execute.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { RateLimiter } from "../../src/delivery/rate-limiter.js";
import { labelFromFileName } from "../../src/commands/parse.js";
import { CredentialsRejectedError, errorMessage, PermanentDeliveryError, RateLimitedError, UserInputError } from "../../src/errors.js";
import { downloadImport } from "../../src/http/download.js";
import type { HttpServer } from "../../src/http/server.js";
import type { Logger } from "../../src/log.js";
import { reply as makeReply } from "../../src/render/notification.js";
import { SharedHttpReceiver } from "./http-receiver.js";
import { MORE_ACTION, renderNotification, renderReply } from "./render.js";

export interface SlackAdapterOptions {
  readonly botToken: string;
  /** Socket Mode (no public URL) when set; otherwise HTTP mode with `signingSecret`. */
  readonly appToken?: string;
  readonly signingSecret?: string;
  readonly http?: HttpServer;
  /** Web API base, e.g. https://slack.com/api/ (tests: the fake's URL). */
  readonly apiUrl: string;
  /** Where shared files live (url_private); nothing else is downloaded with the bot token. */
  readonly filesUrl: string;
  /** Who may change a channel's subscription: any member, or workspace admins and owners. */
  readonly managers: "members" | "admins";
  readonly clock: Clock;
  readonly log: Logger;
  /** Web API retries (tests set 0 so a scripted failure cannot hang). */
  readonly retries?: number;
  readonly ackAfterMs?: number;
}

// Errors after which posting to that channel cannot work until a person acts.
const PERMANENT = new Set(["channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth", "token_revoked", "missing_scope"]);
const NO_UNFURL = { unfurl_links: false, unfurl_media: false };
const DELIVERY_EVENT = "pysec_herald_delivery";
// A message in flight at a crash is among the channel's newest; 5 pages of 200 is plenty.
const HISTORY_PAGES = 5;

export function toDeliveryError(err: unknown): unknown {
  const e = err as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e.code === "slack_webapi_rate_limited_error") return new RateLimitedError("slack", (e.retryAfter ?? 1) * 1000);
  if (e.code === "slack_webapi_platform_error" && e.data?.error && PERMANENT.has(e.data.error)) {
    return new PermanentDeliveryError("slack", `Slack refused: ${e.data.error}`);
  }
  return err;
}

const IMPORT_MESSAGE = /^\s*(?:<@[A-Z0-9]+>\s*)?(?:\/?pysec\s+)?watch\s+-r(?:\s+(\S+))?\s*$/i;

interface SharedFileMessage {
  readonly channel: string;
  readonly ts: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly text?: string;
  readonly files?: readonly { readonly name?: string; readonly url_private?: string; readonly url_private_download?: string }[];
}

function channelOf(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

/** Slack's answers for a token it will not take: trying again changes nothing. */
const AUTH_ERRORS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"]);

/** Turns Slack's refusal of a token into a CredentialsRejectedError naming the variable; other errors pass. */
function rejected(variable: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { data?: { error?: string } }).data?.error ?? (err as { code?: string }).code;
    const text = errorMessage(err);
    const auth = [...AUTH_ERRORS].find((e) => e === code || text.includes(e));
    if (auth) throw new CredentialsRejectedError("slack", variable, auth);
    throw err;
  };
}

export function createSlackAdapter(opts: SlackAdapterOptions): ChatAdapter {
  const log = opts.log.child({ platform: "slack" });
  // Every Web API call has a time limit: a hung Slack fails the call (and is retried later) instead of holding it.
  const clientOptions = { slackApiUrl: opts.apiUrl, retryConfig: { retries: opts.retries ?? 3 }, rejectRateLimitedCalls: true, timeout: 30_000 };
  let receiver: Receiver;
  if (opts.appToken) {
    receiver = new SocketModeReceiver({ appToken: opts.appToken, logLevel: LogLevel.ERROR, installerOptions: { clientOptions } });
  } else {
    if (!opts.signingSecret || !opts.http) throw new Error("Slack HTTP mode needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode)");
    receiver = new SharedHttpReceiver(opts.http, opts.signingSecret, opts.clock);
  }
  // Deferred: Bolt otherwise calls auth.test in the constructor, and a Slack that cannot be reached
  // then is an unhandled rejection that ends the process. start() awaits it instead (and may retry).
  const app = new App({ token: opts.botToken, receiver, clientOptions, logLevel: LogLevel.ERROR, deferInitialization: true });
  let installed = false;
  let started = false;
  // About one message per second per channel (chat.postMessage's special limit), kept before Slack says 429.
  const limiter = new RateLimiter([{ key: (c) => c, limit: 1, windowMs: 1000 }], opts.clock);

  async function mayManage(user: string): Promise<boolean> {
    if (opts.managers === "members") return true;
    try {
      const info = await app.client.users.info({ user });
      return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
    } catch (err) {
      // Not knowing whether someone is an admin is a refusal, never a hang or a yes.
      log.warn({ user, err: (err as Error).message }, "users.info failed; treating the user as not allowed to manage");
      return false;
    }
  }

  async function inviteHint(channel: string): Promise<string> {
    if (!channel.startsWith("C") && !channel.startsWith("G")) return "";
    try {
      const info = await app.client.conversations.info({ channel });
      return info.channel?.is_member ? "" : "\nI am not in this channel yet, so I cannot post alerts here: invite me with /invite @pysec-herald.";
    } catch {
      return "";
    }
  }

  /** The command and event handlers, registered once however often start() is tried. */
  function install(onCommand: CommandHandler): void {
    app.command("/pysec", async ({ command, ack, respond }) => {
      const work = (async () => {
        const r = await onCommand({ channel: `slack:${command.channel_id}`, user: command.user_id, canManage: await mayManage(command.user_id), text: command.text });
        const hint = /^\s*watch\b/i.test(command.text) && !r.ephemeral ? await inviteHint(command.channel_id) : "";
        return hint ? makeReply(r.text + hint, r.ephemeral) : r;
      })();
      const timer = new AbortController();
      const early = await Promise.race([work, opts.clock.sleep(opts.ackAfterMs ?? 2_500, timer.signal).then(() => undefined)]);
      timer.abort();
      const payload = (r: Awaited<typeof work>) => ({ response_type: r.ephemeral ? ("ephemeral" as const) : ("in_channel" as const), ...renderReply(r) });
      if (early) return ack(payload(early));
      // Slack wants the ack within 3 s: acknowledge, then answer through response_url.
      await ack();
      await respond(payload(await work));
    });
    // A dependency file shared in a channel with the message "watch -r [label]" (optionally after
    // a mention of the bot, or "/pysec") is imported like pasted text. Needs files:read and the
    // message.* event subscriptions in slack-manifest.yaml.
    /** A command typed to the bot (a mention, or a direct message), answered in its thread. */
    const typed = async (e: { channel: string; ts: string; user?: string; bot_id?: string; text?: string }) => {
      if (!e.user || e.bot_id) return;
      const text = (e.text ?? "").replace(/<@[A-Z0-9]+>/g, "").trim();
      const r = await onCommand({ channel: `slack:${e.channel}`, user: e.user, canManage: await mayManage(e.user), text: text || "help" });
      await limiter.acquire(`slack:${e.channel}`);
      const body = renderReply(makeReply(r.text, r.ephemeral));
      if (r.ephemeral) await app.client.chat.postEphemeral({ channel: e.channel, user: e.user, text: body.text, blocks: body.blocks });
      else await app.client.chat.postMessage({ channel: e.channel, thread_ts: e.ts, text: body.text, blocks: body.blocks, ...NO_UNFURL });
    };
    // "@pysec-herald help" in a channel (app_mentions:read); a file shared that way is an import, below.
    app.event("app_mention", async ({ event }) => {
      const e = event as SharedFileMessage;
      if (!e.files?.length && !IMPORT_MESSAGE.test(e.text ?? "")) await typed(e);
    });
    app.event("message", async ({ event }) => {
      const e = event as SharedFileMessage & { channel_type?: string; subtype?: string };
      const m = IMPORT_MESSAGE.exec(e.text ?? "");
      // A direct message to the bot (App Home's messages tab) is a command, as on the console.
      if (e.channel_type === "im" && !e.files?.length && !m && !e.subtype) return typed(e);
      if (!m || !e.files?.length || e.bot_id || !e.user) return;
      const [file] = e.files;
      const label = m[1] ?? labelFromFileName(file!.name ?? "file");
      const answer = async (text: string, ephemeral: boolean) => {
        await limiter.acquire(`slack:${e.channel}`);
        const body = renderReply(makeReply(text, ephemeral));
        if (ephemeral) await app.client.chat.postEphemeral({ channel: e.channel, user: e.user!, text: body.text, blocks: body.blocks });
        else await app.client.chat.postMessage({ channel: e.channel, thread_ts: e.ts, text: body.text, blocks: body.blocks, ...NO_UNFURL });
      };
      let text: string;
      try {
        text = await downloadImport(file!.url_private_download ?? file!.url_private ?? "", { base: opts.filesUrl, platform: "Slack", headers: { authorization: `Bearer ${opts.botToken}` } });
      } catch (err) {
        return answer(err instanceof UserInputError ? err.message : "I could not download that file; please try again or paste its text.", true);
      }
      const r = await onCommand({ channel: `slack:${e.channel}`, user: e.user, canManage: await mayManage(e.user), text: e.text ?? "watch -r", attachment: { label, text } });
      await answer(r.text, r.ephemeral);
    });
    // The "Next page" button of a paged answer: the next page, to the person who pressed it.
    app.action(MORE_ACTION, async ({ ack, body, respond }) => {
      await ack();
      const channel = "channel" in body && body.channel ? body.channel.id : undefined;
      if (!channel) return;
      const r = await onCommand({ channel: `slack:${channel}`, user: body.user.id, canManage: false, text: "more" });
      await respond({ response_type: "ephemeral", ...renderReply(r) });
    });
    app.error(async (err) => log.error({ err: err.message }, "slack handler failed"));
  }

  return {
    platform: "slack",
    host: new URL(opts.apiUrl).host,
    capabilities: { edit: true, maxLength: 6000, idempotentSend: false, commandPrefix: "/pysec " }, // reply text: sections of 3000, well under Slack's cumulative block limit
    async start(onCommand) {
      if (!installed) install(onCommand);
      installed = true;
      await app.init().catch(rejected("SLACK_BOT_TOKEN"));
      await app.start().catch(rejected(opts.appToken ? "SLACK_APP_TOKEN" : "SLACK_BOT_TOKEN"));
      started = true;
    },
    async stop() {
      // Never started (Slack could not be reached): nothing to stop.
      if (started) await app.stop();
    },
    async send(to, msg, key) {
      await limiter.acquire(to);
      const m = msg.type === "notification" ? renderNotification(msg) : renderReply(msg);
      try {
        const metadata = key ? { metadata: { event_type: DELIVERY_EVENT, event_payload: { key } } } : {};
        const res = await app.client.chat.postMessage({ channel: channelOf(to), text: m.text, blocks: m.blocks, ...NO_UNFURL, ...metadata });
        return { channel: to, id: String(res.ts) };
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
    // Slack has no idempotency key; the outbox key travels as message metadata and the channel's
    // recent history says whether a message in flight at a crash arrived (channels:history).
    async findSent(to, key, since) {
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        try {
          const res = await app.client.conversations.history({ channel: channelOf(to), oldest: (since.getTime() / 1000).toFixed(6), include_all_metadata: true, limit: 200, ...(cursor && { cursor }) });
          const hit = res.messages?.find((m) => m.metadata?.event_type === DELIVERY_EVENT && (m.metadata.event_payload as { key?: unknown } | undefined)?.key === key);
          if (hit?.ts) return { channel: to, id: hit.ts };
          cursor = res.response_metadata?.next_cursor;
          if (!res.has_more || !cursor) return undefined;
        } catch (err) {
          throw toDeliveryError(err);
        }
      }
      return undefined;
    },
    async edit(ref, msg) {
      await limiter.acquire(ref.channel);
      const m = renderNotification(msg);
      try {
        await app.client.chat.update({ channel: channelOf(ref.channel), ts: ref.id, text: m.text, blocks: m.blocks });
      } catch (err) {
        throw toDeliveryError(err);
      }
      return ref;
    },
  };
}
