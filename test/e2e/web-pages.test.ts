// The web report and the status page in a real browser (Debian's Chromium through playwright-core),
// served by the real bot process with a fake OSV bucket and a fake Telegram.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakeTelegram, textUpdate, type FakeTelegram } from "../fakes/telegram-api.js";
import { signReportToken } from "../../src/web/report-token.js";
import { startBin, waitFor, type BinProcess } from "../helpers/bin-process.js";
import { chromiumAvailable, launchChromium } from "../helpers/browser.js";
import { allOsvRecords, pypaRecordAs, readFixture } from "../helpers/fixtures.js";
import { until } from "../helpers/until.js";

const SECRET = "a-report-secret-for-the-test-0123456789";
const OPS = "ops-token-for-the-test";
const CHAT = 4242;
const ARTIFACTS = resolve(import.meta.dirname, "../../test-results");
const HOSTILE = `<script>alert("xss")</script><img src=x onerror=alert(1)>`;

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

describe.runIf(chromiumAvailable())("web pages in Chromium", () => {
  let bucket: FakeOsvBucket;
  let tg: FakeTelegram;
  let bot: BinProcess;
  let browser: Browser;
  let dir: string;
  let base: string;
  let reportUrl: string;

  async function open(url: string): Promise<{ page: Page; status: number; dialogs: string[]; errors: string[] }> {
    // axe needs a page of its own context.
    const page = await (await browser.newContext()).newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    const response = await page.goto(url);
    return { page, status: response?.status() ?? 0, dialogs, errors };
  }

  const seriousViolations = async (page: Page) => (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);

  beforeAll(async () => {
    bucket = await startFakeOsvBucket(allOsvRecords());
    tg = await startFakeTelegram();
    dir = mkdtempSync(join(tmpdir(), "pysec-herald-web-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = startBin({
      STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1", LOG_FORMAT: "json",
      PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: base, REPORT_SECRET: SECRET, OPS_TOKEN: OPS,
      TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url,
    });
    await waitFor(bot.err, "pysec-herald started");
    await until(() => tg.calls.some((c) => c.method === "getUpdates"), 15_000);
    tg.pushUpdate(textUpdate(`/watch -r api/requirements.txt\n${readFixture("deps", "requirements.txt")}`, CHAT, CHAT));
    await until(() => tg.sent(CHAT).some((c) => String(c.body["text"]).includes("Imported api/requirements.txt")), 15_000);
    // A hostile advisory for a watched pin: delivered (for /status), and on the report (escaped).
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-66"), summary: HOSTILE, details: HOSTILE });
    await until(() => tg.sent(CHAT).some((c) => String(c.body["text"]).includes("PYSEC-2099-66")), 20_000);
    tg.pushUpdate(textUpdate("/report", CHAT, CHAT));
    const link = await until(() => tg.sent(CHAT).map((c) => /(http:\/\/127\.0\.0\.1:\d+\/report\/[0-9a-f.]+)/.exec(String(c.body["text"]))?.[1]).find(Boolean), 15_000);
    reportUrl = link!;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    bot?.child.kill("SIGTERM");
    await bot?.exited;
    await tg?.close();
    await bucket?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the report shows each affected pin with its upgrade and the severity chart; a screenshot is kept", async () => {
    const { page, status, errors } = await open(reportUrl);
    expect(status).toBe(200);
    const text = await page.locator("main").innerText();
    // The channel as its people know it, not the internal key telegram:4242.
    expect(text).toContain("Security report for Telegram chat 4242");
    expect(text).toContain("The advisory mirror is ready.");
    expect(text).toContain("api/requirements.txt");
    expect(text).toMatch(/requests==2\.28\.1[\s\S]*PYSEC-2023-74[\s\S]*upgrade to 2\.31\.0/);
    expect(text).toMatch(/django==4\.2\.1[\s\S]*upgrade to/);
    expect(await page.locator('svg[role="img"][aria-label^="Open advisories by severity"]').count()).toBe(1);
    expect(text).toMatch(/Alerts of the last 30 days[\s\S]*PYSEC-2099-66/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "channel-report.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("on a 390 px phone neither page scrolls sideways; advisories and packages are links, times in words, the worst pins first; screenshots at 1280 and 390 px", async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [name, url] of [["report", reportUrl], ["status", `${base}/status?token=${OPS}`]] as const) {
      for (const width of [1280, 390]) {
        const context = await browser.newContext({ viewport: { width, height: 800 } });
        const page = await context.newPage();
        expect((await page.goto(url))?.status()).toBe(200);
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(scroll, `${name} at ${width} px`).toBeLessThanOrEqual(width);
        await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
        if (name === "report") {
          expect(await page.locator('a[href="https://osv.dev/vulnerability/PYSEC-2023-74"]').count()).toBeGreaterThan(0);
          expect(await page.locator('th a[href$="/project/requests/"]').count()).toBe(1);
          const text = await page.locator("main").innerText();
          expect(text).toMatch(/Made today \d\d:\d\d UTC/);
          expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
          // requests (a high-severity advisory) comes before the packages nothing is known against, folded.
          expect(await page.locator("details summary").first().innerText()).toMatch(/^\d+ packages? with nothing known against them$/);
        }
        await context.close();
      }
    }
  });

  it("an advisory's <script> and <img onerror> are shown as text, and nothing runs", async () => {
    const { page, dialogs, errors } = await open(reportUrl);
    expect(await page.locator("main").innerText()).toContain(HOSTILE);
    expect(await page.locator("main script, main img").count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    const headers = (await page.request.get(reportUrl)).headers();
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    expect(headers).toMatchObject({ "x-frame-options": "DENY", "referrer-policy": "no-referrer", "cache-control": "no-store" });
  });

  it("tampered, expired and other-channel tokens get a plain 403 that names no channel", async () => {
    const token = reportUrl.slice(reportUrl.lastIndexOf("/") + 1);
    const [payload, mac] = token.split(".");
    const otherChannel = Buffer.from(JSON.stringify({ c: "telegram:1", e: Math.floor(Date.now() / 1000) + 3600 })).toString("hex");
    const expired = signReportToken({ channel: `telegram:${CHAT}`, expires: new Date(Date.now() - 1000) }, SECRET);
    const foreign = signReportToken({ channel: `telegram:${CHAT}`, expires: new Date(Date.now() + 3_600_000) }, "some-other-bots-secret-0123456789");
    for (const bad of [`${payload}.${mac!.replace(/.$/, (c) => (c === "0" ? "1" : "0"))}`, `${otherChannel}.${mac}`, expired, foreign, "x", `${payload}`]) {
      const { page, status } = await open(`${base}/report/${bad}`);
      expect(status).toBe(403);
      const text = await page.locator("main").innerText();
      expect(text).toContain("This link is not valid");
      expect(text).not.toContain("telegram");
      await page.close();
    }
    // A link cut or garbled so that it is no percent-encoding at all: a 400, and the token is never logged.
    const garbled = await fetch(`${base}/report/${token}%zz`);
    expect(garbled.status).toBe(400);
    expect(await garbled.text()).toContain("Malformed report link");
    expect(bot.err()).not.toContain(payload);
  });

  it("/status shows the deliveries and the latency chart; without OPS_TOKEN it is refused", async () => {
    expect((await fetch(`${base}/status`)).status).toBe(401);
    expect((await fetch(`${base}/status?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/status`, { headers: { authorization: `bearer ${OPS}` } })).status).toBe(200);
    const { page, status, errors } = await open(`${base}/status?token=${OPS}`);
    expect(status).toBe(200);
    const text = await page.locator("main").innerText();
    expect(text).toMatch(/osv\s+today \d\d:\d\d UTC/); // times in words, no longer raw ISO
    expect(text).toMatch(/telegram\s+sent\s+[1-9]/);
    expect(text).toMatch(/Mirror: 3\d\d advisories; ready/);
    expect(await page.locator("svg path.p50").count()).toBe(1);
    expect(await page.locator("svg path.p99").count()).toBe(1);
    expect(errors).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    const bearer = await fetch(`${base}/status`, { headers: { authorization: `Bearer ${OPS}` } });
    expect(bearer.status).toBe(200);
  });
});
