import { afterEach, describe, expect, it } from "vitest";
import { createSlackAdapter } from "../../adapters/slack/slack-adapter.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { slashPayload, startFakeSlack, type FakeSlack } from "../fakes/slack-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs, readFixture } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { assertInertMrkdwn, postSigned } from "../helpers/slack.js";
import { until } from "../helpers/until.js";

const SECRET = "slack-signing-secret";
const CH = "C0SEC";

let bucket: FakeOsvBucket;
let slack: FakeSlack;
let h: Harness;
let adapter: ChatAdapter;
let http: HttpServer;

async function setUp(mode: "socket" | "http", managers: "members" | "admins" = "members"): Promise<void> {
  bucket = await startFakeOsvBucket(allOsvRecords());
  slack = await startFakeSlack();
  http = createHttpServer(createLogger("silent"));
  h = await startHarness(bucket.url, {}, () => {
    adapter = createSlackAdapter({
      botToken: "xoxb-test", ...(mode === "socket" ? { appToken: "xapp-test" } : { signingSecret: SECRET, http }),
      apiUrl: slack.api, filesUrl: slack.files, managers, clock: systemClock, log: createLogger("silent"), retries: 0,
    });
    return [adapter];
  });
  await h.services.poller.pollOnce(h.services.sources[0]!);
  await adapter.start(h.handle);
}

afterEach(async () => {
  await adapter.stop();
  await http.close();
  await h.close();
  await slack.close();
  await bucket.close();
});

async function publish(id: string, extra: Record<string, unknown> = {}, at = "2026-11-25T10:00:00Z"): Promise<void> {
  bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", id), ...extra }, at);
  await h.services.poller.pollOnce(h.services.sources[0]!);
}

describe("Slack through the real Bolt app in Socket Mode", () => {
  const shared = (text: string, url: string, extra: Record<string, unknown> = {}) =>
    slack.event({ type: "message", subtype: "file_share", channel: CH, user: "U1", ts: "1700000000.000100", text, files: [{ id: "F1", name: "requirements (prod).txt", size: 300, url_private: url, url_private_download: url }], ...extra });
  const answered = async (n: number) => {
    for (let i = 0; i < 500 && slack.calls.filter((c) => /^chat\.post/.test(c.method)).length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return slack.calls.filter((c) => /^chat\.post/.test(c.method));
  };

  it("a requirements file shared with \"watch -r\" is downloaded with the bot token and imported; the report answers in its thread", async () => {
    await setUp("socket");
    await slack.connected();
    slack.stored.set("T1-F1/requirements.txt", readFixture("deps", "requirements.txt"));
    await shared("<@UBOT> watch -r", `${slack.files}T1-F1/requirements.txt`);
    const [post] = await answered(1);
    expect(post!.method).toBe("chat.postMessage");
    expect(post!.args["thread_ts"]).toBe("1700000000.000100");
    expect(String(post!.args["text"])).toContain("Imported requirements-prod-.txt (requirements.txt): 5 packages watched.");
    expect(String(post!.args["text"])).toContain("requests==2.28.1: 1 advisory (PYSEC-2023-74) → upgrade to 2.31.0");
    expect(slack.fileAuth).toEqual(["Bearer xoxb-test"]);
    const channel = await h.services.channels.get(`slack:${CH}`);
    expect(channel?.watches.find((w) => w.name === "requests")).toMatchObject({ specifier: "==2.28.1", label: "requirements-prod-.txt" });

    // A later advisory affecting the pin alerts the channel.
    slack.memberOf.add(CH);
    await publish("PYSEC-2099-31");
    expect(await h.dispatcher.drain()).toBe(1);
  });

  it("a shared file outside SLACK_FILES_URL is not fetched, and one Slack will not give is reported; nothing is watched", async () => {
    await setUp("socket");
    await slack.connected();
    await shared("watch -r api/requirements.txt", `${bucket.url}/PyPI/modified_id.csv`);
    const [refused] = await answered(1);
    expect(refused!.method).toBe("chat.postEphemeral");
    expect(String(refused!.args["text"])).toContain("not stored on Slack's file server");
    expect(bucket.requests.filter((r) => r.path.endsWith("modified_id.csv") && r.headers.authorization)).toEqual([]);
    expect(slack.fileAuth).toEqual([]);
    expect((await h.services.channels.get(`slack:${CH}`))?.watches ?? []).toEqual([]);

    // Missing from the file server (e.g. no files:read): told, nothing watched.
    await shared("watch -r", `${slack.files}T1-F9/gone.txt`);
    expect(String((await answered(2))[1]!.args["text"])).toContain("Slack did not give me the file (HTTP 404)");

    slack.stored.set("T1-F2/r.txt", "requests==2.28.1\n");
    await shared("pysec watch -r", `${slack.files}T1-F2/r.txt`);
    expect(String((await answered(3))[2]!.args["text"])).toContain("Imported requirements-prod-.txt (requirements.txt): 1 package");
    // Only messages that ask for an import are looked at: a plain file share is ignored.
    await shared("here is our lock file", `${slack.files}T1-F2/r.txt`);
    expect((await h.services.channels.get(`slack:${CH}`))?.watches.map((w) => w.name)).toEqual(["requests"]);
  });

  it("answers \"@pysec-herald help\" in a channel, and a direct message as a command", async () => {
    await setUp("socket");
    await slack.connected();
    await slack.event({ type: "app_mention", channel: CH, user: "U1", ts: "1700000000.000200", text: "<@UBOT> help watch" });
    const [help] = await answered(1);
    expect(help!.method).toBe("chat.postEphemeral");
    expect(String(help!.args["text"])).toContain("watch &lt;package[spec]&gt;");
    expect(String(help!.args["text"])).not.toContain("lookalikes");
    await slack.event({ type: "message", channel_type: "im", channel: "D1", user: "U1", ts: "1700000000.000300", text: "watch flask" });
    await until(async () => (await h.services.channels.get("slack:D1"))?.watches.length === 1);
    expect((await h.services.channels.get("slack:D1"))?.watches.map((w) => w.name)).toEqual(["flask"]);
  });

  it("a member watches requests; an advisory arrives as escaped Block Kit; an update edits it with chat.update", async () => {
    await setUp("socket");
    await slack.connected();
    const ack = await slack.slashCommand(slashPayload("watch requests", CH, "U1", slack.url));
    const payload = ack["payload"] as { response_type: string; text: string };
    expect(payload.response_type).toBe("in_channel");
    expect(payload.text).toContain("Now watching requests.");
    expect(payload.text).toContain("invite me with /invite @pysec-herald"); // the bot is not in the channel yet
    slack.memberOf.add(CH);

    await publish("PYSEC-2099-30", { summary: "<!channel> <@U0ADMIN> <https://evil.example|click> & co" });
    expect(await h.dispatcher.drain()).toBe(1);
    const told = (await h.services.outbox.told("PYSEC-2099-30"))[`slack:${CH}`];
    const [post] = slack.posts(CH);
    assertInertMrkdwn(post!.args);
    expect(String(post!.args["text"])).toContain("&lt;!channel&gt; &lt;@U0ADMIN&gt; &lt;https://evil.example|click&gt; &amp; co");
    expect(post!.args["unfurl_links"]).toBe("false"); // form-encoded by the Web API client
    const blocks = post!.args["blocks"] as { type: string }[];
    expect(blocks.map((b) => b.type)).toEqual(["header", "context", "section", "section", "actions"]);

    await publish("PYSEC-2099-30", { summary: "Now with a fix", affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.3.0" }, { fixed: "2.32.0" }] }] }] }, "2026-11-25T11:00:00Z");
    expect(await h.dispatcher.drain()).toBe(1);
    const update = slack.calls.find((c) => c.method === "chat.update");
    expect(update?.args["ts"]).toBe(told?.ref.id);
    expect(update?.args["channel"]).toBe(CH);
    expect(String(update?.args["text"])).toContain("Updated: PYSEC-2099-30");
    expect(slack.posts(CH)).toHaveLength(1);
  });
});

describe("Slack HTTP mode", () => {
  it("answers a correctly signed command; refuses a wrong signature, a stale timestamp and a replay, changing nothing", async () => {
    await setUp("http");
    const url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/slack/events`;
    const form = slashPayload("watch flask", CH, "U1", slack.url);
    expect((await postSigned(url, SECRET, form, { signWith: "not-the-secret" })).status).toBe(401);
    expect((await postSigned(url, SECRET, form, { ts: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(await h.services.channels.get(`slack:${CH}`)).toBeUndefined();
    const ts = Math.floor(Date.now() / 1000);
    const ok = await postSigned(url, SECRET, form, { ts });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as { text: string }).text).toContain("Now watching flask");
    const replay = await postSigned(url, SECRET, { ...form, text: "watch flask" }, { ts });
    expect(replay.status).toBe(401);
    const tampered = await postSigned(url, SECRET, form, { ts, raw: new URLSearchParams({ ...form, text: "unwatch flask" } as Record<string, string>).toString(), signWith: "x" });
    expect(tampered.status).toBe(401);
    expect((await h.services.channels.get(`slack:${CH}`))?.watches).toEqual([{ name: "flask", specifier: "" }]);
  });

  it("answers what Bolt does not acknowledge within 3 s, and signed junk with 400", async () => {
    await setUp("http");
    const url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/slack/events`;
    const started = Date.now();
    const button = await postSigned(url, SECRET, { payload: JSON.stringify({ type: "block_actions", actions: [{ action_id: "x" }], user: { id: "U1" } }) });
    expect(button.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await postSigned(url, SECRET, {}, { raw: "payload=%7Bnot-json" })).status).toBe(400);
    expect((await postSigned(url, SECRET, {}, { raw: `payload=${encodeURIComponent("[1,2]")}` })).status).toBe(400);
  });

  it("with SLACK_MANAGERS=admins, only workspace admins change a subscription; anyone looks up, privately", async () => {
    await setUp("http", "admins");
    slack.admins.add("UADMIN");
    const url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/slack/events`;
    const send = async (text: string, user: string) => JSON.parse((await postSigned(url, SECRET, slashPayload(text, CH, user, slack.url))).body) as { text: string; response_type: string };
    expect((await send("watch flask", "UMEMBER")).text).toMatch(/Only people who can manage this channel/);
    expect(await h.services.channels.get(`slack:${CH}`)).toBeUndefined();
    expect((await send("watch flask", "UADMIN")).text).toContain("Now watching flask");
    const lookup = await send("lookup flask 2.3.1", "UMEMBER");
    expect(lookup.response_type).toBe("ephemeral");
    expect(lookup.text).toContain("PYSEC-2023-62");
  });
});
