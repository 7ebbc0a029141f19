import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDiscordAdapter, type DiscordAdapter } from "../../adapters/discord/discord-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { createPackageSuggester } from "../../src/suggest.js";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { commandInteraction, discordTestKeys, postInteraction } from "../helpers/discord.js";
import { allOsvRecords, pypaRecordAs, readFixture } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { until } from "../helpers/until.js";

const APP = "100000000000000001";
const GUILD = "400000000000000004";
const CH = "200000000000000002";
const MANAGE_CHANNELS = "16";

let bucket: FakeOsvBucket;
let discord: FakeDiscord;
let h: Harness;
let adapter: DiscordAdapter;
let http: HttpServer;

async function setUp(mode: "gateway" | "http", publicKey?: string): Promise<void> {
  bucket = await startFakeOsvBucket(allOsvRecords());
  discord = await startFakeDiscord();
  http = createHttpServer(createLogger("silent"));
  h = await startHarness(bucket.url, {}, (services) => {
    adapter = createDiscordAdapter({
      token: "test-token-abc", applicationId: APP, apiUrl: discord.api, cdnUrl: discord.url, interactions: mode, ...(publicKey && { publicKey }), http,
      suggest: createPackageSuggester(services.advisories, systemClock), clock: systemClock, log: createLogger("silent"), retries: 0, deferAfterMs: 1_000,
    });
    return [adapter];
  });
  await h.services.poller.pollOnce(h.services.sources[0]!);
  await adapter.start(h.handle);
}

async function tearDown(): Promise<void> {
  await adapter.stop();
  await http.close();
  await h.close();
  await discord.close();
  await bucket.close();
}

describe("Discord through the real discord.js client on the gateway", () => {
  beforeEach(() => setUp("gateway"));
  afterEach(tearDown);

  it("a member with Manage Channels watches django>=4.2; a new advisory arrives as one embed that pings nobody", async () => {
    await discord.identified();
    discord.dispatchInteraction(commandInteraction("watch django>=4.2", { channel: CH, guild: GUILD, permissions: MANAGE_CHANNELS }));
    const callback = await until(() => discord.calls.find((c) => c.path.endsWith("/callback")));
    const data = callback.body["data"] as { content: string; allowed_mentions: unknown };
    expect(callback.body["type"]).toBe(4);
    expect(data.content).toContain("Now watching django\\>=4.2.");
    expect(data.allowed_mentions).toEqual({ parse: [] });
    expect((await h.services.channels.get(`discord:${CH}`))?.watches).toEqual([{ name: "django", specifier: ">=4.2" }]);

    bucket.put({ ...pypaRecordAs("django", "PYSEC-2024-70", "PYSEC-2099-10"), summary: "Django @everyone <@&123> test" }, "2026-11-25T10:00:00Z");
    await h.services.poller.pollOnce(h.services.sources[0]!);
    expect(await h.dispatcher.drain()).toBe(1);
    const messages = discord.messages(CH);
    expect(messages).toHaveLength(1);
    const body = messages[0]!.body as { embeds: { title: string; url: string }[]; allowed_mentions: unknown; nonce: string; enforce_nonce: boolean };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    expect(body.embeds[0]!.title).toMatch(/^PYSEC-2099-10: Django @\u200beveryone \\<@\u200b&123\\> test$/);
    expect(body.embeds[0]!.url).toBe("https://osv.dev/vulnerability/PYSEC-2099-10");
    expect(body.enforce_nonce).toBe(true);
    expect(body.nonce).toHaveLength(25);
  });
});

describe("Discord HTTP interactions", () => {
  const keys = discordTestKeys();
  let url: string;
  beforeEach(async () => {
    await setUp("http", keys.publicKeyHex);
    url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/discord/interactions`;
  });
  afterEach(tearDown);

  const post = (text: string, permissions = MANAGE_CHANNELS, guild = GUILD) =>
    postInteraction(url, commandInteraction(text, { channel: CH, ...(guild && { guild }), permissions }), keys.privateKey);
  const content = (r: { json?: Record<string, unknown> }) => String((r.json?.["data"] as { content?: string })?.content ?? "");

  it("answers PING, and refuses a forged or unsigned request with 401", async () => {
    expect((await postInteraction(url, { id: "1", type: 1 }, keys.privateKey)).json).toEqual({ type: 1 });
    expect((await postInteraction(url, { id: "1", type: 1 }, keys.privateKey, true)).status).toBe(401);
    const other = discordTestKeys();
    const forged = await postInteraction(url, commandInteraction("watch requests", { channel: CH, guild: GUILD, permissions: MANAGE_CHANNELS }), other.privateKey);
    expect(forged.status).toBe(401);
    expect(await h.services.channels.get(`discord:${CH}`)).toBeUndefined();
  });

  it("refuses a replayed interaction and one signed a year ago, executing neither", async () => {
    const watch = commandInteraction("watch requests", { channel: CH, guild: GUILD, permissions: MANAGE_CHANNELS });
    const stale = await postInteraction(url, watch, keys.privateKey, false, Date.now() - 365 * 86_400_000);
    expect(stale.status).toBe(401);
    expect(await h.services.channels.get(`discord:${CH}`)).toBeUndefined();
    const body = commandInteraction("mute requests", { channel: CH, guild: GUILD, permissions: MANAGE_CHANNELS });
    const at = Date.now();
    expect((await postInteraction(url, body, keys.privateKey, false, at)).status).toBe(200);
    expect((await postInteraction(url, body, keys.privateKey, false, at)).status).toBe(401);
    // The same signature in upper or mixed case is the same signature: still a replay.
    const mixed = (hex: string) => [...hex].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join("");
    for (const recase of [(hex: string) => hex.toUpperCase(), mixed]) expect((await postInteraction(url, body, keys.privateKey, false, at, recase)).status).toBe(401);
    expect((await h.services.channels.get(`discord:${CH}`))?.mutes).toHaveLength(1);
  });

  it("refuses a member without Manage Channels, but lets anyone look up (privately)", async () => {
    const refused = await post("watch requests", "0");
    expect(content(refused)).toMatch(/Only people who can manage this channel/);
    expect((refused.json?.["data"] as { flags?: number }).flags).toBe(64);
    expect(await h.services.channels.get(`discord:${CH}`)).toBeUndefined();
    const admin = await post("watch requests", String(1 << 3)); // Administrator implies it
    expect(content(admin)).toContain("Now watching requests");
    const lookup = await post("lookup requests 2.28.1", "0");
    expect(content(lookup)).toContain("PYSEC-2023-74");
    expect((lookup.json?.["data"] as { flags?: number }).flags).toBe(64);
  });

  it("imports a dependency file attached to /pysec watch, only from the configured CDN", async () => {
    discord.attachments.set("1/2/requirements.txt", readFixture("deps", "requirements.txt"));
    const withFile = (url: string) => {
      const body = commandInteraction("watch", { channel: CH, guild: GUILD, permissions: MANAGE_CHANNELS, extra: [{ name: "file", type: 11, value: "900" }, { name: "label", type: 3, value: "api/requirements.txt" }] });
      (body["data"] as Record<string, unknown>)["resolved"] = { attachments: { "900": { id: "900", filename: "requirements.txt", size: 900, url } } };
      return body;
    };
    const r = await postInteraction(url, withFile(`${discord.url}/attachments/1/2/requirements.txt`), keys.privateKey);
    expect(content(r)).toContain("Imported api/requirements.txt \\(requirements.txt\\): 5 packages watched.");
    expect((await h.services.channels.get(`discord:${CH}`))?.watches.every((w) => w.label === "api/requirements.txt")).toBe(true);
    const elsewhere = await postInteraction(url, withFile("https://evil.example/requirements.txt"), keys.privateKey);
    expect(content(elsewhere)).toMatch(/not stored on Discord's file server/);
  });

  it("a direct message is the person's own channel", async () => {
    const r = await post("watch flask", "0", ""); // no guild: a DM
    expect(content(r)).toContain("Now watching flask");
    expect((await h.services.channels.get(`discord:${CH}`))?.watches).toHaveLength(1);
  });

  it("autocompletes package names from the local mirror", async () => {
    const body = {
      id: "9", type: 4, token: "t", channel_id: CH, guild_id: GUILD, member: { permissions: MANAGE_CHANNELS, user: { id: "3" } },
      data: { name: "pysec", options: [{ type: 1, name: "watch", options: [{ type: 3, name: "packages", value: "requests dja", focused: true }] }] },
    };
    const r = await postInteraction(url, body, keys.privateKey);
    expect(r.json?.["type"]).toBe(8);
    const choices = (r.json?.["data"] as { choices: { value: string }[] }).choices.map((c) => c.value);
    expect(choices).toEqual(["requests django"]);
  });

  it("defers a slow answer and edits it in later", async () => {
    const slowHandle: typeof h.handle = async (cmd) => {
      await new Promise((r) => setTimeout(r, 1_500));
      return h.handle(cmd);
    };
    await adapter.stop();
    const slowHttp = createHttpServer(createLogger("silent"));
    const slow = createDiscordAdapter({ token: "t0ken", applicationId: APP, apiUrl: discord.api, cdnUrl: discord.url, interactions: "http", publicKey: keys.publicKeyHex, http: slowHttp, suggest: async () => [], clock: systemClock, log: createLogger("silent"), retries: 0, deferAfterMs: 200 });
    await slow.start(slowHandle);
    const slowUrl = `http://127.0.0.1:${await slowHttp.listen(0, "127.0.0.1")}/discord/interactions`;
    const r = await postInteraction(slowUrl, commandInteraction("help", { channel: CH, guild: GUILD, permissions: "0" }), keys.privateKey);
    expect(r.json).toEqual({ type: 5, data: { flags: 64 } });
    const edit = await until(() => discord.calls.find((c) => c.method === "PATCH" && c.path === `/webhooks/${APP}/interaction-token/messages/@original`));
    expect(String(edit.body["content"])).toContain("pysec-herald tells this channel");
    await slowHttp.close();
  });

  it("a channel the bot lost access to is paused, visibly, and nothing else is affected", async () => {
    await post("watch requests");
    discord.forbiddenChannels.add(CH);
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-11") }, "2026-11-25T10:00:00Z");
    await h.services.poller.pollOnce(h.services.sources[0]!);
    expect(await h.dispatcher.drain()).toBe(0);
    const channel = await h.services.channels.get(`discord:${CH}`);
    expect(channel?.paused?.reason).toMatch(/Missing Access/);
    const items = await h.services.outbox.list();
    expect(items[0]?.parked).toMatch(/50001/);
    expect(content(await post("status"))).toMatch(/Delivery paused since/);
  });

  it("every message it creates carries a nonce, so a send repeated after a crash makes no second message", async () => {
    const digestPart = { type: "reply" as const, text: "pysec-herald digest, 2026-11-25: 1 advisory", ephemeral: false };
    const first = await adapter.send(`discord:${CH}`, digestPart);
    const again = await adapter.send(`discord:${CH}`, digestPart);
    expect(again.id).toBe(first.id);
    const bodies = discord.messages(CH).map((c) => c.body);
    expect(bodies).toHaveLength(2);
    expect(bodies.every((b) => b["enforce_nonce"] === true && b["nonce"] === bodies[0]!["nonce"])).toBe(true);
    expect(discord.byNonce.size).toBe(1);
    expect(adapter.capabilities.idempotentSend).toBe(true);
  });
});

describe("pysec-herald discord register", () => {
  it("PUTs /pysec to one guild, or globally", async () => {
    const { runCli } = await import("../../src/cli.js");
    const { PassThrough } = await import("node:stream");
    const fake = await startFakeDiscord();
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "pysec-herald-reg-"));
    const env = { STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, LOG_LEVEL: "silent", DISCORD_TOKEN: "tok-en", DISCORD_APPLICATION_ID: APP, DISCORD_API_URL: fake.api };
    const out = new PassThrough();
    expect(await runCli(["discord", "register", "--guild", GUILD], { stdout: out, stderr: new PassThrough(), env })).toBe(0);
    expect(await runCli(["discord", "register"], { stdout: out, stderr: new PassThrough(), env })).toBe(0);
    expect(await runCli(["discord", "register", "--guild", "abc"], { stdout: out, stderr: new PassThrough(), env })).toBe(2);
    const puts = fake.calls.filter((c) => c.method === "PUT").map((c) => c.path);
    expect(puts).toEqual([`/applications/${APP}/guilds/${GUILD}/commands`, `/applications/${APP}/commands`]);
    const body = fake.calls.find((c) => c.method === "PUT")!.body as unknown as { name: string; default_member_permissions: string }[];
    expect(body[0]).toMatchObject({ name: "pysec", default_member_permissions: "16" });
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
