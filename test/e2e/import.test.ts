import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramAdapter } from "../../adapters/telegram/telegram-adapter.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createLogger } from "../../src/log.js";
import { FAKE_BOT, startFakeTelegram, textUpdate, type FakeTelegram } from "../fakes/telegram-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs, readFixture } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";

const CHAT = 4242; // a private chat: the user manages it
let bucket: FakeOsvBucket;
let tg: FakeTelegram;
let h: Harness;
let adapter: ChatAdapter;

beforeEach(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  tg = await startFakeTelegram();
  h = await startHarness(bucket.url, {}, () => {
    adapter = createTelegramAdapter({ token: tg.token, apiRoot: tg.url, clock: systemClock, log: createLogger("silent"), botInfo: FAKE_BOT, pollTimeoutSeconds: 1 });
    return [adapter];
  });
  await h.services.poller.pollOnce(h.services.sources[0]!);
  await adapter.start(h.handle);
});

afterEach(async () => {
  await adapter.stop();
  await h.close();
  await tg.close();
  await bucket.close();
});

async function send(update: Record<string, unknown>): Promise<string> {
  const before = tg.sent(CHAT).length;
  tg.pushUpdate(update);
  for (let i = 0; i < 500 && tg.sent(CHAT).length === before; i++) await new Promise((r) => setTimeout(r, 10));
  return tg.sent(CHAT).slice(before).map((c) => String(c.body["text"])).join("\n");
}

async function publish(id: string, pkg: string, base: string, extra: Record<string, unknown> = {}): Promise<number> {
  bucket.put({ ...pypaRecordAs(pkg, base, id), ...extra }, h.clock.now().toISOString());
  await h.services.poller.pollOnce(h.services.sources[0]!);
  return h.dispatcher.drain();
}

describe("subscribing a project from its dependency file, through Telegram", () => {
  it("a pasted requirements.txt answers with the affected pins; later alerts follow only for affected pins", async () => {
    const report = await send(textUpdate(`/watch -r api/requirements.txt\n${readFixture("deps", "requirements.txt")}`, CHAT, CHAT));
    expect(report).toContain("Imported api/requirements.txt (requirements.txt): 5 packages watched.");
    expect(report).toContain("requests==2.28.1: 1 advisory (PYSEC-2023-74) → upgrade to 2.31.0");
    expect(report).toContain("Not watched (5):");
    const channel = await h.services.channels.get(`telegram:${CHAT}`);
    expect(channel?.watches.every((w) => w.label === "api/requirements.txt")).toBe(true);

    // Affects requests 2.28.1 (the pin): alerted, with the upgrade.
    expect(await publish("PYSEC-2099-50", "requests", "PYSEC-2023-74")).toBe(1);
    expect(String(tg.sent(CHAT).at(-1)!.body["text"])).toContain("You pin requests==2.28.1; fixed in 2.31.0; upgrade: requests&gt;=2.31.0,&lt;3");
    // Affects only requests < 2.20 (not the pin): silence.
    expect(await publish("PYSEC-2099-51", "requests", "PYSEC-2018-28")).toBe(0);
  });

  it("a second import of the same label replaces the earlier set and shows the difference", async () => {
    await send(textUpdate("/watch -r api/uv.lock\n" + readFixture("deps", "uv.lock"), CHAT, CHAT));
    const again = readFixture("deps", "uv.lock").replace('version = "4.2.1"', 'version = "4.2.16"').replace(/\[\[package\]\]\nname = "requests"[\s\S]*?\n\n/, "");
    const report = await send(textUpdate(`/watch -r api/uv.lock\n${again}`, CHAT, CHAT));
    expect(report).toContain("1 packages watched: 0 added, 1 removed, 1 changed.");
    expect(report).toContain("Removed: requests");
    expect(report).toContain("Changed: django==4.2.1 → django==4.2.16");
    expect((await h.services.channels.get(`telegram:${CHAT}`))?.watches.map((w) => w.specifier)).toEqual(["==4.2.16"]);
    expect(await send(textUpdate("/list", CHAT, CHAT))).toContain("From api/uv.lock (1): django==4.2.16");
  });

  it("a document captioned /watch -r is downloaded from the Bot API and imported", async () => {
    tg.files.set("doc-1", { path: "documents/file_7.lock", content: readFixture("deps", "poetry.lock") });
    const report = await send({ message: {
      message_id: 9, date: 0, chat: { id: CHAT, type: "private", first_name: "u" }, from: { id: CHAT, is_bot: false, first_name: "u" },
      caption: "/watch -r", document: { file_id: "doc-1", file_unique_id: "x", file_name: "poetry.lock", file_size: 900 },
    } });
    expect(report).toContain("Imported poetry.lock (poetry.lock): 2 packages watched.");
    expect(report).toContain("flask==2.2.0: 1 advisory (PYSEC-2023-62) → upgrade to 2.2.5");
  });

  it("a malformed file is refused with a clear error and nothing changes", async () => {
    await send(textUpdate("/watch flask", CHAT, CHAT));
    const answer = await send(textUpdate("/watch -r uv.lock\n[[package]\nname = 'broken'", CHAT, CHAT));
    expect(answer).toMatch(/uv\.lock is not valid TOML/);
    expect((await h.services.channels.get(`telegram:${CHAT}`))?.watches).toEqual([{ name: "flask", specifier: "" }]);
  });
});

describe("filters on the injected clock", () => {
  it("a mute until a date holds through that day and lapses by itself", async () => {
    await h.command("console:m", "watch requests");
    await h.command("console:m", "mute requests until 2026-11-26 upgrading next sprint");
    expect(await h.command("console:m", "list")).toContain("Muted: requests until 2026-11-26 (upgrading next sprint)");
    expect(await publish("PYSEC-2099-52", "requests", "PYSEC-2023-74")).toBe(0);
    h.clock.advance(24 * 3600_000); // 26 November: still muted
    expect(await publish("PYSEC-2099-53", "requests", "PYSEC-2023-74")).toBe(0);
    h.clock.advance(24 * 3600_000); // 27 November: the mute has lapsed
    expect(await publish("PYSEC-2099-54", "requests", "PYSEC-2023-74")).toBe(1);
    expect(await h.command("console:m", "list")).not.toContain("Muted");
  });

  it("fixed-only tells only about advisories with a fixed version, but always about malicious packages", async () => {
    await h.command("console:f", "watch requests");
    await h.command("console:f", "fixed-only on");
    const unfixed = { affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }] }] };
    expect(await publish("PYSEC-2099-55", "requests", "PYSEC-2023-74", unfixed)).toBe(0);
    expect(await publish("PYSEC-2099-56", "requests", "PYSEC-2023-74")).toBe(1);
    expect(await publish("MAL-2099-57", "requests", "PYSEC-2023-74", unfixed)).toBe(1);
    await h.command("console:f", "fixed-only off");
    expect(await publish("PYSEC-2099-58", "requests", "PYSEC-2023-74", unfixed)).toBe(1);
  });
});
