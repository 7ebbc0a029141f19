import { describe, expect, it } from "vitest";
import { escapeDiscord } from "../../../adapters/discord/escape.js";
import { renderEmbed, replyBody } from "../../../adapters/discord/render.js";
import { renderReply as renderSlackReply } from "../../../adapters/slack/render.js";
import { withPages } from "../../../src/commands/pager.js";
import { ManualClock } from "../../helpers/manual-clock.js";
import { canManage, commandDefinitions, commandText } from "../../../adapters/discord/slash-commands.js";
import { reply } from "../../../src/render/notification.js";
import { realNotification } from "../../helpers/notifications.js";

describe("Discord escaping", () => {
  it.each([
    ["@everyone", "@\u200beveryone"],
    ["<@123>", "\\<@\u200b123\\>"],
    ["<@&9>", "\\<@\u200b&9\\>"],
    ["[free nitro](https://evil.example)", "\\[free nitro\\]\\(https://evil.example\\)"],
    ["**b** __u__ ~~s~~ `c` ||x||", "\\*\\*b\\*\\* \\_\\_u\\_\\_ \\~\\~s\\~\\~ \\`c\\` \\|\\|x\\|\\|"],
    ["# heading\n> quote\n- item\n1. one", "\\# heading\n\\> quote\n\\- item\n1\\. one"],
    ["version 2.31.0-rc1", "version 2.31.0-rc1"],
  ])("%j", (input, expected) => {
    expect(escapeDiscord(input)).toBe(expected);
  });
});

describe("Discord rendering", () => {
  it("renders a real advisory as an embed with severity colour, fields and the OSV link", () => {
    const e = renderEmbed(realNotification());
    expect(e.title).toMatch(/^PYSEC-2023-74: Requests is a HTTP library\. /); // PyPA records have no summary: the first line of details
    expect(e.title.length).toBeLessThanOrEqual(256);
    expect(e.url).toBe("https://osv.dev/vulnerability/PYSEC-2023-74");
    expect(e.fields.map((f) => f.name)).toEqual(["Severity", "Package", "Affected versions you watch", "Fixed in", "Upgrade", "Aliases", "Links", "Published / modified"]);
    expect(e.fields.find((f) => f.name === "Fixed in")?.value).toBe("2.31.0");
    expect(e.fields.find((f) => f.name === "Upgrade")?.value).toBe("You pin requests==2.28.1; fixed in 2.31.0; upgrade: requests\\>=2.31.0,\\<3"); // escaped: it renders as written
  });

  it("says what to do about a malicious package instead of an upgrade", () => {
    const e = renderEmbed(realNotification({ malicious: true, advisoryId: "MAL-2026-1" }));
    expect(e.title.startsWith("[MALICIOUS] ")).toBe(true);
    expect(e.fields.find((f) => f.name === "Action")?.value).toMatch(/remove it and rotate any secrets/);
    expect(e.fields.some((f) => f.name === "Fixed in")).toBe(false);
  });

  it("keeps a long reply in one message under 2000 characters", () => {
    const body = replyBody(reply("line\n".repeat(1000)), true);
    expect(body.content!.length).toBeLessThanOrEqual(2000);
    expect(body.content).toMatch(/trimmed/);
    expect(body.flags).toBe(64);
  });

  it("pages a long answer through the core's pager, each page with a Next page button but the last", async () => {
    const paged = withPages(async () => reply(Array.from({ length: 600 }, (_, i) => `line ${i}`).join("\n")), { pageChars: 1800, clock: new ManualClock(), prefix: "/pysec " });
    const ask = (text: string) => paged({ channel: "discord:1", user: "u", canManage: true, text });
    const bodies = [replyBody(await ask("list"), false)];
    while (bodies.at(-1)!.components) bodies.push(replyBody(await ask("more"), true));
    expect(bodies.length).toBeGreaterThan(2);
    for (const b of bodies) {
      expect(b.content!.length).toBeLessThanOrEqual(2000);
      expect(b.content).not.toMatch(/trimmed/);
    }
    expect(bodies[0]!.components).toEqual([{ type: 1, components: [{ type: 2, style: 2, label: "Next page", custom_id: "pysec:more" }] }]);
    expect(bodies.map((b) => b.content).join("\n")).toContain("line 599");
  });
});

describe("/pysec command", () => {
  it("needs Manage Channels by default and maps options back to the command grammar", () => {
    const [def] = commandDefinitions() as { default_member_permissions: string; options: { name: string }[] }[];
    expect(def!.default_member_permissions).toBe("16");
    // Every command of the table (unmute, all-clear, fixed-only, kev-only, epss and lookalikes were missing).
    expect(def!.options.map((o) => o.name)).toEqual(["watch", "unwatch", "list", "lookup", "mode", "digest-time", "quiet", "urgent", "all-clear", "severity", "mute", "unmute", "fixed-only", "kev-only", "epss", "lookalikes", "signals", "status", "more", "report", "help"]);
    expect(commandText([{ type: 1, name: "lookup", options: [{ type: 3, name: "package", value: "requests" }, { type: 5, name: "public", value: true }] }]))
      .toEqual({ text: "lookup requests", public: true });
    expect(commandText([{ type: 3, name: "oops" }])).toBeUndefined();
  });

  it("reads the member's resolved permissions", () => {
    expect(canManage("16")).toBe(true);
    expect(canManage("8")).toBe(true);
    expect(canManage(String(1n << 40n | 16n))).toBe(true);
    expect(canManage("2048")).toBe(false);
    expect(canManage(undefined)).toBe(false);
    expect(canManage("not a number")).toBe(false);
  });
});

describe("Slack paged replies", () => {
  it("end with a Next page button while more follows, within the block limits", async () => {
    const paged = withPages(async () => reply(Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n")), { pageChars: 6000, clock: new ManualClock(), prefix: "/pysec " });
    const first = renderSlackReply(await paged({ channel: "slack:C1", user: "U1", canManage: true, text: "list" }));
    expect(first.blocks.at(-1)).toEqual({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Next page" }, action_id: "pysec-more", value: "more" }] });
    expect(first.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(first.blocks)).toContain("/pysec more for the next");
  });
});
