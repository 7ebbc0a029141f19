import { timingSafeEqual } from "node:crypto";
import { Bot, GrammyError, HttpError, type Context } from "grammy";
import { labelFromFileName, MAX_IMPORT_CHARS } from "../../src/commands/parse.js";
import { downloadImport } from "../../src/http/download.js";
import type { UserFromGetMe } from "grammy/types";
import type { Clock } from "../../src/clock.js";
import type { CommandHandler } from "../../src/commands/execute.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { RateLimiter } from "../../src/delivery/rate-limiter.js";
import { ChannelMovedError, CredentialsRejectedError, PermanentDeliveryError, RateLimitedError, UserInputError } from "../../src/errors.js";
import type { HttpServer } from "../../src/http/server.js";
import type { Logger } from "../../src/log.js";
import { coreText, MENU, TELEGRAM_COMMANDS, WELCOME } from "./commands.js";
import { renderNotification, renderReply } from "./render.js";

export interface TelegramAdapterOptions {
  readonly token: string;
  readonly apiRoot: string;
  /** When set, updates arrive at POST /telegram/webhook instead of long polling. */
  readonly webhookUrl?: string;
  readonly webhookSecret?: string;
  readonly http?: HttpServer;
  readonly clock: Clock;
  readonly log: Logger;
  /** Skips getMe at start (tests); otherwise grammY asks the API who the bot is. */
  readonly botInfo?: UserFromGetMe;
  /** Long-poll timeout in seconds (tests use a short one). */
  readonly pollTimeoutSeconds?: number;
}

const ADMIN_CACHE_MS = 60_000;
const SEND = { parse_mode: "HTML" as const, link_preview_options: { is_disabled: true } };

/**
 * Telegram's documented limits: ~30 messages/s overall, 1/s per chat, 20/min per group (negative ids).
 * Windows are 5 % longer than documented: a message sent at the edge of a window can arrive inside the next.
 */
function telegramLimiter(clock: Clock): RateLimiter {
  return new RateLimiter([
    { key: () => "all", limit: 30, windowMs: 1050 },
    { key: (c) => c, limit: 1, windowMs: 1050 },
    { key: (c) => (c.startsWith("telegram:-") ? c : undefined), limit: 20, windowMs: 63_000 },
  ], clock);
}

function chatOf(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

export function toDeliveryError(err: unknown, channel: string): unknown {
  if (!(err instanceof GrammyError)) return err instanceof HttpError ? new Error(`Telegram unreachable: ${err.message}`) : err;
  const p = err.parameters;
  if (err.error_code === 429) return new RateLimitedError("telegram", (p.retry_after ?? 1) * 1000);
  if (p.migrate_to_chat_id !== undefined) return new ChannelMovedError(channel, `telegram:${p.migrate_to_chat_id}`);
  if (err.error_code === 403 || /chat not found|bot was (blocked|kicked)|not a member|user is deactivated/i.test(err.description)) {
    return new PermanentDeliveryError("telegram", `Telegram refused: ${err.description}`);
  }
  return new Error(`Telegram error ${err.error_code}: ${err.description}`);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createTelegramAdapter(opts: TelegramAdapterOptions): ChatAdapter & { readonly bot: Bot } {
  const log = opts.log.child({ platform: "telegram" });
  // A time limit on every Bot API call, above the long poll's own 30 s.
  const bot = new Bot(opts.token, { client: { apiRoot: opts.apiRoot, timeoutSeconds: 60 }, ...(opts.botInfo && { botInfo: opts.botInfo }) });
  const limiter = telegramLimiter(opts.clock);
  const admins = new Map<string, { admin: boolean; at: number }>();
  let polling: Promise<void> | undefined;
  let installed = false;
  const host = new URL(opts.apiRoot).host;
  // grammY retries a failed long poll every 3 s without a word: say once when Telegram goes away, and when it is back.
  let pollFailing = false;
  // Stopping aborts the long poll on purpose: that is no outage, and the last getUpdates no return.
  let stopping = false;
  bot.api.config.use(async (prev, method, payload, signal) => {
    if (method !== "getUpdates" || stopping) return prev(method, payload, signal);
    try {
      const result = await prev(method, payload, signal);
      if (pollFailing) log.info({ host }, "reached telegram again");
      pollFailing = false;
      return result;
    } catch (err) {
      if (stopping) throw err;
      if (!pollFailing && err instanceof HttpError) log.warn({ host, err: err.message }, `cannot reach telegram at ${host}; grammY retries the long poll every 3 s`);
      pollFailing ||= err instanceof HttpError;
      throw err;
    }
  });

  /** Private chats belong to their user; in groups and channels only administrators manage. */
  async function mayManage(ctx: Context): Promise<boolean> {
    const chat = ctx.chat;
    if (!chat) return false;
    if (chat.type === "private" || chat.type === "channel") return true; // only a channel's admins can post in it
    if (ctx.senderChat?.id === chat.id) return true; // an anonymous administrator
    const user = ctx.from?.id;
    if (user === undefined) return false;
    const key = `${chat.id}:${user}`;
    const now = opts.clock.now().getTime();
    const cached = admins.get(key);
    if (cached && now - cached.at < ADMIN_CACHE_MS) return cached.admin;
    const member = await ctx.api.getChatMember(chat.id, user);
    const admin = member.status === "creator" || member.status === "administrator";
    admins.set(key, { admin, at: now });
    return admin;
  }

  /** `more`: another page follows (commands/pager.ts): the last message carries a button for it. */
  async function answer(ctx: Context, text: string, more = false): Promise<void> {
    const chunks = renderReply({ type: "reply", text, ephemeral: false });
    for (const [i, chunk] of chunks.entries()) {
      const last = i === chunks.length - 1;
      await ctx.reply(chunk, { ...SEND, ...(more && last && { reply_markup: { inline_keyboard: [[{ text: "Next page", callback_data: "p:more" }]] } }) });
    }
  }

  function install(onCommand: CommandHandler): void {
    bot.command("start", async (ctx) => {
      if (ctx.chat.type === "private") await ctx.reply(WELCOME, { link_preview_options: { is_disabled: true } });
    });
    for (const { command, core } of TELEGRAM_COMMANDS) {
      bot.command(command, async (ctx) => {
        const reply = await onCommand({
          channel: `telegram:${ctx.chat.id}`,
          user: String(ctx.from?.id ?? ctx.senderChat?.id ?? "unknown"),
          canManage: await mayManage(ctx),
          text: coreText(core, ctx.match),
        });
        await answer(ctx, reply.text, reply.more);
      });
    }
    // A dependency file sent as a document, captioned `/watch -r [label]`, is imported like pasted text.
    bot.on("message:document", async (ctx) => {
      const caption = /^\/watch(?:@\w+)?\s+-r(?:\s+(\S+))?\s*$/.exec(ctx.message.caption ?? "");
      if (!caption) return;
      const doc = ctx.message.document;
      const label = caption[1] ?? labelFromFileName(doc.file_name ?? "document");
      if ((doc.file_size ?? 0) > MAX_IMPORT_CHARS) return answer(ctx, `${label} is larger than ${MAX_IMPORT_CHARS / 1024} KB.`);
      const file = await ctx.getFile();
      if (!file.file_path) return answer(ctx, "Telegram did not give me that file; please paste its text instead.");
      let text: string;
      try {
        // The token is part of Telegram's file URL; the base check keeps the download on the API root.
        text = await downloadImport(`${opts.apiRoot}/file/bot${opts.token}/${file.file_path}`, { base: opts.apiRoot, platform: "Telegram" });
      } catch (err) {
        return answer(ctx, err instanceof UserInputError ? err.message : "I could not download that file; please try again or paste its text.");
      }
      const reply = await onCommand({ channel: `telegram:${ctx.chat.id}`, user: String(ctx.from?.id ?? "unknown"), canManage: await mayManage(ctx), text: ctx.message.caption ?? "/watch -r", attachment: { label, text } });
      await answer(ctx, reply.text, reply.more);
    });
    // A command no handler took, addressed to this bot (or to no bot, in a private chat): say so.
    bot.on("message:text", async (ctx, next) => {
      const m = /^\/([A-Za-z0-9_]+)(?:@(\w+))?/.exec(ctx.message.text);
      const mine = m?.[2] ? m[2].toLowerCase() === ctx.me.username.toLowerCase() : ctx.chat.type === "private";
      if (!m || !mine) return next();
      await answer(ctx, `There is no command /${m[1]}. /help lists the commands.`);
    });
    bot.callbackQuery("p:more", async (ctx) => {
      const reply = await onCommand({ channel: `telegram:${ctx.chat?.id ?? ctx.from.id}`, user: String(ctx.from.id), canManage: false, text: "more" });
      await ctx.answerCallbackQuery();
      await answer(ctx, reply.text, reply.more);
    });
    bot.callbackQuery(/^([mu]):(.+)$/, async (ctx) => {
      const [, kind, arg] = ctx.match;
      const reply = await onCommand({
        channel: `telegram:${ctx.chat?.id ?? ctx.from.id}`,
        user: String(ctx.from.id),
        canManage: await mayManage(ctx),
        text: `${kind === "m" ? "mute" : "unwatch"} ${arg}`,
      });
      await ctx.answerCallbackQuery({ text: reply.text.slice(0, 200), show_alert: reply.ephemeral });
    });
    bot.catch((err) => log.error({ err: err.message }, "update handler failed"));
  }

  /** POST /telegram/webhook, checked against TELEGRAM_WEBHOOK_SECRET. */
  function receiveWebhooks(): void {
    if (!opts.webhookSecret || !opts.http) throw new Error("TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET and the HTTP server");
    const secret = opts.webhookSecret;
    opts.http.route("POST", "/telegram/webhook", async (req) => {
      const given = req.headers["x-telegram-bot-api-secret-token"];
      if (typeof given !== "string" || !sameSecret(given, secret)) return { status: 401, body: "secret token is wrong" };
      let update: unknown;
      try {
        update = JSON.parse(req.body.toString("utf8"));
      } catch {
        return { status: 400, body: "not JSON" };
      }
      if (typeof update !== "object" || update === null || Array.isArray(update) || typeof (update as { update_id?: unknown }).update_id !== "number") {
        return { status: 400, body: "not an update" };
      }
      await bot.handleUpdate(update as Parameters<Bot["handleUpdate"]>[0]);
      return { status: 200, body: "" };
    }, { requiredHeaders: ["x-telegram-bot-api-secret-token"] });
  }

  return {
    platform: "telegram",
    host,
    bot,
    capabilities: { edit: true, maxLength: 3000, idempotentSend: false, commandPrefix: "/" }, // reply text before escaping; each message stays within 4096
    async start(onCommand) {
      if (!installed) {
        install(onCommand);
        // The webhook route exists before the first try to reach Telegram, so the server listens with it.
        if (opts.webhookUrl) receiveWebhooks();
      }
      installed = true;
      // grammY's own init retries getMe silently for ever; asked once here, a failure reaches main.ts,
      // which logs it and tries again.
      if (!bot.isInited()) {
        bot.botInfo = await bot.api.getMe().catch((err: unknown) => {
          // 401 for a token Telegram does not know, 404 for one that is not a token at all.
          if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) throw new CredentialsRejectedError("telegram", "TELEGRAM_BOT_TOKEN", `${err.error_code} ${err.description}`);
          throw err;
        });
      }
      await bot.api.setMyCommands([...MENU]);
      if (opts.webhookUrl) {
        await bot.api.setWebhook(opts.webhookUrl, { secret_token: opts.webhookSecret!, allowed_updates: ["message", "channel_post", "callback_query"] });
        return;
      }
      polling = bot.start({ timeout: opts.pollTimeoutSeconds ?? 30, allowed_updates: ["message", "channel_post", "callback_query"] })
        .catch((err: unknown) => log.error({ err: (err as Error).message }, "long polling stopped"));
    },
    async stop() {
      stopping = true;
      if (bot.isRunning()) await bot.stop();
      await polling;
    },
    async send(to, msg) {
      await limiter.acquire(to);
      try {
        if (msg.type === "reply") {
          let id = "";
          for (const chunk of renderReply(msg)) id = String((await bot.api.sendMessage(chatOf(to), chunk, SEND)).message_id);
          return { channel: to, id };
        }
        const m = renderNotification(msg);
        const sent = await bot.api.sendMessage(chatOf(to), m.text, { ...SEND, ...(m.buttons.length && { reply_markup: { inline_keyboard: m.buttons } }) });
        return { channel: to, id: String(sent.message_id) };
      } catch (err) {
        throw toDeliveryError(err, to);
      }
    },
    async edit(ref, msg) {
      await limiter.acquire(ref.channel);
      const m = renderNotification(msg);
      try {
        await bot.api.editMessageText(chatOf(ref.channel), Number(ref.id), m.text, { ...SEND, ...(m.buttons.length && { reply_markup: { inline_keyboard: m.buttons } }) });
      } catch (err) {
        // Editing to identical content is a no-op, not a failure.
        if (err instanceof GrammyError && /message is not modified/i.test(err.description)) return ref;
        throw toDeliveryError(err, ref.channel);
      }
      return ref;
    },
  };
}
