import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { request } from "undici";
import { createTelegramAdapter } from "../../adapters/telegram/telegram-adapter.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { FAKE_BOT, startFakeTelegram, textUpdate, type FakeTelegram } from "../fakes/telegram-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { withPages } from "../../src/commands/pager.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { until } from "../helpers/until.js";
import { assertOwnHtmlOnly } from "../helpers/telegram.js";

const GROUP = -1001;
const ADMIN = 11;
const MEMBER = 12;

let bucket: FakeOsvBucket;
let tg: FakeTelegram;
let h: Harness;
let adapter: ChatAdapter;
let http: HttpServer;

async function setUp(webhook?: { url: string; secret: string }): Promise<void> {
  bucket = await startFakeOsvBucket(allOsvRecords());
  tg = await startFakeTelegram();
  tg.admins.set(GROUP, new Set([ADMIN]));
  http = createHttpServer(createLogger("silent"));
  h = await startHarness(bucket.url, {}, () => {
    adapter = createTelegramAdapter({
      token: tg.token, apiRoot: tg.url, clock: systemClock, log: createLogger("silent"), botInfo: FAKE_BOT, pollTimeoutSeconds: 1,
      ...(webhook && { webhookUrl: webhook.url, webhookSecret: webhook.secret, http }),
    });
    return [adapter];
  });
  await h.services.poller.pollOnce(h.services.sources[0]!);
  // As main.ts starts it: long answers paged to the adapter's limit.
  await adapter.start(withPages(h.handle, { pageChars: adapter.capabilities.maxLength, clock: h.clock, prefix: "/" }));
}

afterEach(async () => {
  await adapter.stop();
  await http.close();
  await h.close();
  await tg.close();
  await bucket.close();
});

const lastText = (chat: number) => String(tg.sent(chat).at(-1)?.body["text"] ?? "");

async function say(text: string, user: number, chat = GROUP): Promise<string> {
  const before = tg.sent(chat).length;
  tg.pushUpdate(textUpdate(text, chat, user));
  await until(() => tg.sent(chat).length > before);
  return lastText(chat);
}

describe("Telegram through the real grammY bot, long polling", () => {
  beforeEach(() => setUp());

  it("a long answer comes in pages within Telegram's limit, each with a Next page button until the last", async () => {
    const names = Array.from({ length: 400 }, (_, i) => `pkg-${String(i).padStart(3, "0")}`);
    await say(`/watch -r big.txt\n${names.map((n) => `${n}==1.0`).join("\n")}`, ADMIN);
    const first = tg.sent(GROUP).at(-1)!;
    expect(String(first.body["text"])).toMatch(/\(page 1 of (\d+): \/more for the next\)$/);
    const total = Number(/of (\d+)/.exec(String(first.body["text"]))![1]);
    expect(total).toBeGreaterThan(1);
    let last = first;
    for (let n = 2; n <= total; n++) {
      const buttons = (last.body["reply_markup"] as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard[0]!;
      expect(buttons).toEqual([{ text: "Next page", callback_data: "p:more" }]);
      const before = tg.sent(GROUP).length;
      tg.pushUpdate({ callback_query: { id: `more-${n}`, from: { id: ADMIN, is_bot: false, first_name: "u" }, chat_instance: "c", data: "p:more", message: { message_id: 5, date: 0, chat: { id: GROUP, type: "supergroup", title: "devs" }, text: "x" } } });
      await until(() => tg.sent(GROUP).length > before);
      last = tg.sent(GROUP).at(-1)!;
      expect(String(last.body["text"])).toContain(`(page ${n} of ${total}`);
    }
    expect(last.body["reply_markup"]).toBeUndefined();
    const all = tg.sent(GROUP).slice(-total).map((c) => String(c.body["text"]));
    for (const text of all) expect(text.length).toBeLessThanOrEqual(4096);
    for (const n of names) expect(all.join("\n")).toContain(n);
    // Typed, it works too; with nothing left it says so.
    expect(await say("/more", ADMIN)).toContain("Nothing more to show");
  });

  it("sets the command menu, and an admin in a group watches flask<3", async () => {
    expect(tg.calls.find((c) => c.method === "setMyCommands")?.body["commands"]).toHaveLength(15);
    const reply = await say("/watch flask<3", ADMIN);
    expect(reply).toContain("Now watching flask&lt;3.");
    expect(reply).toContain("PYSEC-2023-62");
    expect((await h.services.channels.get(`telegram:${GROUP}`))?.watches).toEqual([{ name: "flask", specifier: "<3" }]);
  });

  it("refuses a member who is not an administrator, and changes nothing", async () => {
    expect(await say("/watch flask", MEMBER)).toMatch(/Only people who can manage this channel/);
    expect(await h.services.channels.get(`telegram:${GROUP}`)).toBeUndefined();
    expect(tg.calls.some((c) => c.method === "getChatMember" && c.body["user_id"] === MEMBER)).toBe(true);
  });

  it("an advisory arrives as escaped HTML with buttons; a press by an admin mutes it, by a member does not", async () => {
    await say("/watch flask<3", ADMIN);
    bucket.put({ ...pypaRecordAs("flask", "PYSEC-2023-62", "PYSEC-2099-20"), summary: "flask </b><a href=\"x\">pwn</a> & more" }, "2026-11-25T10:00:00Z");
    await h.services.poller.pollOnce(h.services.sources[0]!);
    expect(await h.dispatcher.drain()).toBe(1);
    const alert = tg.sent(GROUP).at(-1)!;
    const text = String(alert.body["text"]);
    assertOwnHtmlOnly(text);
    expect(text).toContain("flask &lt;/b&gt;&lt;a href=&quot;x&quot;&gt;pwn&lt;/a&gt; &amp; more");
    expect(alert.body["parse_mode"]).toBe("HTML");
    expect(alert.body["link_preview_options"]).toEqual({ is_disabled: true });
    const buttons = (alert.body["reply_markup"] as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]!;
    expect(buttons.map((b) => b.callback_data)).toEqual(["m:PYSEC-2099-20", "u:flask"]);

    const press = (user: number, id: string) => tg.pushUpdate({
      callback_query: { id, from: { id: user, is_bot: false, first_name: "u" }, chat_instance: "c", data: "m:PYSEC-2099-20",
        message: { message_id: 5, date: 0, chat: { id: GROUP, type: "supergroup", title: "devs" }, text: "x" } },
    });
    press(MEMBER, "q1");
    const refused = await until(() => tg.calls.find((c) => c.method === "answerCallbackQuery" && c.body["callback_query_id"] === "q1"));
    expect(String(refused.body["text"])).toMatch(/Only people who can manage/);
    expect((await h.services.channels.get(`telegram:${GROUP}`))?.mutes).toEqual([]);
    press(ADMIN, "q2");
    await until(() => tg.calls.find((c) => c.method === "answerCallbackQuery" && c.body["callback_query_id"] === "q2"));
    expect((await h.services.channels.get(`telegram:${GROUP}`))?.mutes).toEqual([{ kind: "advisory", target: "PYSEC-2099-20" }]);
  });

  it("waits out a 429's retry_after, then delivers", async () => {
    await say("/watch flask", ADMIN);
    tg.rateLimitNextSend(7);
    bucket.put({ ...pypaRecordAs("flask", "PYSEC-2023-62", "PYSEC-2099-21") }, "2026-11-25T10:00:00Z");
    await h.services.poller.pollOnce(h.services.sources[0]!);
    const before = tg.sent(GROUP).length;
    expect(await h.dispatcher.drain()).toBe(0);
    const [item] = await h.services.outbox.list();
    expect(Date.parse(item!.notBefore) - h.clock.now().getTime()).toBe(7000);
    h.clock.advance(6999);
    expect(await h.dispatcher.drain()).toBe(0);
    h.clock.advance(1);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(tg.sent(GROUP).length).toBe(before + 2); // the refused attempt and the delivery
  });

  it("moves the subscription when the group is migrated to a supergroup", async () => {
    await say("/watch flask", ADMIN);
    tg.migrated.set(GROUP, -1002);
    bucket.put({ ...pypaRecordAs("flask", "PYSEC-2023-62", "PYSEC-2099-22") }, "2026-11-25T10:00:00Z");
    await h.services.poller.pollOnce(h.services.sources[0]!);
    await h.dispatcher.drain();
    expect(await h.dispatcher.drain()).toBe(0);
    expect(await h.services.channels.get(`telegram:${GROUP}`)).toBeUndefined();
    expect((await h.services.channels.get("telegram:-1002"))?.watches).toEqual([{ name: "flask", specifier: "" }]);
    expect(lastText(-1002)).toContain("PYSEC-2099-22");
    expect(await h.services.outbox.list()).toEqual([]);
  });

  it("ignores commands addressed to another bot; welcomes in private chats", async () => {
    tg.pushUpdate(textUpdate("/watch@otherbot flask", GROUP, ADMIN));
    expect(await say("/list@pysec_herald_bot", ADMIN)).toMatch(/watches nothing yet/);
    expect(await h.services.channels.get(`telegram:${GROUP}`)).toBeUndefined();
    expect(await say("/start", 55, 55)).toMatch(/^Hello! I tell this chat about security advisories/);
    expect(await say("/watch requests", 55, 55)).toContain("Now watching requests"); // a private chat is the user's own
  });
});

describe("Telegram webhook mode", () => {
  const secret = "s3cret_token-abc";
  let url: string;
  beforeEach(async () => {
    await setUp({ url: "https://bot.example/telegram/webhook", secret });
    url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/telegram/webhook`;
  });

  it("registers the webhook with its secret, refuses a wrong secret with 401, and handles a right one", async () => {
    expect(tg.calls.find((c) => c.method === "setWebhook")?.body).toMatchObject({ url: "https://bot.example/telegram/webhook", secret_token: secret });
    const update = JSON.stringify({ update_id: 1, ...textUpdate("/watch flask", GROUP, ADMIN) });
    const post = (token?: string) => request(url, { method: "POST", body: update, headers: { "content-type": "application/json", ...(token && { "x-telegram-bot-api-secret-token": token }) } });
    expect((await post("wrong")).statusCode).toBe(401);
    expect((await post()).statusCode).toBe(401);
    expect(await h.services.channels.get(`telegram:${GROUP}`)).toBeUndefined();
    expect((await post(secret)).statusCode).toBe(200);
    expect((await h.services.channels.get(`telegram:${GROUP}`))?.watches).toHaveLength(1);
  });
});
