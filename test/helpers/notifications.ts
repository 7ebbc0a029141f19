import { parsePypaYaml } from "../../src/advisory/osv-schema.js";
import { affects } from "../../src/matching/affects.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { buildNotification, type Notification } from "../../src/render/notification.js";
import { readFixture } from "./fixtures.js";

/** A real notification: requests PYSEC-2023-74 for a channel watching `requests==2.28.1`. */
export function realNotification(overrides: Partial<Notification> = {}): Notification {
  const advisory = parsePypaYaml(readFixture("pypa", "vulns", "requests", "PYSEC-2023-74.yaml"));
  const watch = parseWatch("requests==2.28.1");
  const n = buildNotification("new", { v: 1, advisory, revision: 1, fingerprint: "f", firstSeen: advisory.modified }, watch, affects(advisory, watch));
  return { ...n, ...overrides };
}

/** Advisory text written by an attacker: mentions, markup of every platform, links, and far too much of it. */
export const HOSTILE =
  "@everyone @here <@123456789> <@&987654321> <#555> <!channel> <!here> <@U0123ABC> " +
  "</b><a href=\"https://evil.example\">click</a> <script>alert(1)</script> [free nitro](https://evil.example) " +
  "**bold** __u__ ~~s~~ `code` ||spoiler|| & &amp; \u001b[31mred\u001b[0m ";

export function hostileNotification(): Notification {
  return realNotification({
    title: `${HOSTILE}`.repeat(3),
    details: HOSTILE.repeat(60).slice(0, 10_000),
    aliases: ["CVE-2023-32681", "@everyone"],
    affectedVersions: ["<@123>", "2.28.1"],
    references: ["https://github.com/psf/requests/security", "javascript:alert(1)", "https://evil.example/a)b"],
  });
}
