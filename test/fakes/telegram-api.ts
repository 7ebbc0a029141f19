import type { ServerResponse } from "node:http";
import { startFakeServer, WindowCounter, type FakeServer } from "./fake-server.js";

export interface TelegramCall {
  readonly method: string;
  readonly body: Record<string, unknown>;
  /** When it arrived (the system clock, as a real server's). */
  readonly at: number;
}

export interface FakeTelegram extends FakeServer {
  readonly token: string;
  readonly calls: TelegramCall[];
  /** Queues an update for getUpdates (ids are assigned). */
  pushUpdate(update: Record<string, unknown>): void;
  /** user ids that are administrators, per chat id. */
  readonly admins: Map<number, Set<number>>;
  /** Chats that answer 403 "bot was blocked by the user" / 400 "chat not found". */
  readonly blocked: Set<number>;
  /** Chats migrated to a supergroup: old id → new id. */
  readonly migrated: Map<number, number>;
  /** Chats whose sends answer 502 Bad Gateway (a failure worth retrying). */
  readonly failing: Set<number>;
  /** Files a user "uploaded": file_id → path and content (served by getFile and /file/bot<token>/<path>). */
  readonly files: Map<string, { path: string; content: string }>;
  /** The next sendMessage answers 429 with this retry_after. */
  rateLimitNextSend(seconds: number): void;
  sent(chatId?: number): TelegramCall[];
}

export const FAKE_BOT = { id: 777, is_bot: true as const, first_name: "pysec", username: "pysec_herald_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false, can_manage_bots: false, supports_join_request_queries: false };

/** The Telegram Bot API methods pysec-herald uses, on 127.0.0.1, with long-polling getUpdates. */
export async function startFakeTelegram(token = "123456:TEST-token", opts: { enforceLimits?: boolean } = {}): Promise<FakeTelegram> {
  // Telegram's documented limits: about 30 messages per second overall, 1 per second per chat.
  const overall = new WindowCounter(30, 1000);
  const perChat = new WindowCounter(1, 1000);
  const calls: TelegramCall[] = [];
  const queue: Record<string, unknown>[] = [];
  const waiting = new Set<() => void>();
  const admins = new Map<number, Set<number>>();
  const blocked = new Set<number>();
  const migrated = new Map<number, number>();
  const failing = new Set<number>();
  let nextUpdate = 1;
  let nextMessage = 100;
  let retryAfter: number | undefined;

  const ok = (res: ServerResponse, result: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result }));
  const fail = (res: ServerResponse, code: number, description: string, parameters?: unknown) =>
    res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) }));

  const files = new Map<string, { path: string; content: string }>();
  const server = await startFakeServer(async (req, res, text) => {
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec((req.url ?? "").split("?")[0]!);
    if (download) {
      const file = [...files.values()].find((f) => f.path === download[2]);
      if (download[1] !== token || !file) return fail(res, 404, "Not Found");
      return res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.content);
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec((req.url ?? "").split("?")[0]!);
    if (!m || m[1] !== token) return fail(res, 401, "Unauthorized");
    const method = m[2]!;
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    calls.push({ method, body, at: Date.now() });
    const chat = Number(body["chat_id"]);
    switch (method) {
      case "getMe":
        return ok(res, FAKE_BOT);
      case "deleteWebhook":
      case "setWebhook":
      case "setMyCommands":
      case "answerCallbackQuery":
        return ok(res, true);
      case "getUpdates": {
        const offset = Number(body["offset"] ?? 0);
        while (queue.length && Number(queue[0]!["update_id"]) < offset) queue.shift();
        if (queue.length === 0 && Number(body["timeout"] ?? 0) > 0) {
          await new Promise<void>((resolve) => {
            const wake = () => { clearTimeout(timer); waiting.delete(wake); resolve(); };
            const timer = setTimeout(wake, Number(body["timeout"]) * 1000);
            waiting.add(wake);
            req.on("close", wake);
          });
        }
        return ok(res, queue.filter((u) => Number(u["update_id"]) >= offset));
      }
      case "getFile": {
        const f = files.get(String(body["file_id"]));
        return f ? ok(res, { file_id: body["file_id"], file_unique_id: "u", file_size: f.content.length, file_path: f.path }) : fail(res, 400, "Bad Request: invalid file_id");
      }
      case "getChatMember": {
        const user = Number(body["user_id"]);
        const status = admins.get(chat)?.has(user) ? "administrator" : "member";
        return ok(res, { status, user: { id: user, is_bot: false, first_name: "u" } });
      }
      case "sendMessage":
      case "editMessageText": {
        if (opts.enforceLimits && method === "sendMessage" && !(overall.take("all") && perChat.take(String(chat)))) {
          return fail(res, 429, "Too Many Requests: retry after 1", { retry_after: 1 });
        }
        if (retryAfter !== undefined && method === "sendMessage") {
          const s = retryAfter;
          retryAfter = undefined;
          return fail(res, 429, `Too Many Requests: retry after ${s}`, { retry_after: s });
        }
        if (failing.has(chat)) return fail(res, 502, "Bad Gateway");
        if (blocked.has(chat)) return fail(res, 403, "Forbidden: bot was blocked by the user");
        if (migrated.has(chat)) return fail(res, 400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: migrated.get(chat) });
        const textLen = String(body["text"] ?? "").length;
        if (textLen === 0 || textLen > 4096) return fail(res, 400, "Bad Request: message is too long");
        const id = method === "sendMessage" ? ++nextMessage : Number(body["message_id"]);
        return ok(res, { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: chat < 0 ? "supergroup" : "private" }, text: body["text"] });
      }
      default:
        return fail(res, 404, `Not Found: method ${method} is not faked`);
    }
  });

  return {
    ...server,
    token,
    calls,
    admins,
    blocked,
    migrated,
    failing,
    files,
    pushUpdate(update) {
      queue.push({ update_id: nextUpdate++, ...update });
      for (const wake of [...waiting]) wake();
    },
    rateLimitNextSend(seconds) {
      retryAfter = seconds;
    },
    sent: (chatId) => calls.filter((c) => c.method === "sendMessage" && (chatId === undefined || Number(c.body["chat_id"]) === chatId)),
    async close() {
      for (const wake of [...waiting]) wake();
      await server.close();
    },
  };
}

let messageId = 1;

/** A text message update as Telegram sends it (group chats have negative ids). */
export function textUpdate(text: string, chatId: number, userId: number): Record<string, unknown> {
  const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] : [];
  return {
    message: {
      message_id: messageId++, date: Math.floor(Date.now() / 1000), text, entities,
      chat: chatId < 0 ? { id: chatId, type: "supergroup", title: "devs" } : { id: chatId, type: "private", first_name: "u" },
      from: { id: userId, is_bot: false, first_name: "u" },
    },
  };
}
