import { expect, it } from "vitest";
import type { IncomingCommand } from "../../../src/commands/execute.js";
import { withPages } from "../../../src/commands/pager.js";
import { reply } from "../../../src/render/notification.js";
import { ManualClock } from "../../helpers/manual-clock.js";

const ask = (text: string, user = "u1"): IncomingCommand => ({ channel: "telegram:1", user, canManage: true, text });

it("a long answer comes a page at a time within the platform's limit, losing nothing, in order", async () => {
  const clock = new ManualClock();
  const names = Array.from({ length: 400 }, (_, i) => `package-${i}`);
  const long = `Now watching ${names.join(", ")}.\n${names.map((n) => `${n}: fine`).join("\n")}`;
  const paged = withPages(async (cmd) => reply(cmd.text === "list" ? long : "short"), { pageChars: 3000, clock, prefix: "/" });

  const pages = [await paged(ask("list"))];
  while (pages.at(-1)!.more) pages.push(await paged(ask("more")));
  expect(pages.length).toBeGreaterThan(3);
  for (const p of pages) expect(p.text.length).toBeLessThanOrEqual(3000);
  expect(pages[0]!.text).toMatch(/\n\(page 1 of \d+: \/more for the next\)$/);
  expect(pages.at(-1)!.text).toMatch(/\(page (\d+) of \1\)$/);
  // Every name, in order, across the pages: nothing trimmed.
  const joined = pages.map((p) => p.text.replace(/\n\(page [^)]*\)$/, "")).join(" ");
  for (const n of names) expect(joined).toContain(`${n}: fine`);
  expect(joined.indexOf("package-399,")).toBeLessThan(joined.indexOf("package-0: fine"));
  expect((await paged(ask("more"))).text).toBe("Nothing more to show: ask again for a new answer.");
  expect(await paged(ask("other"))).toEqual(reply("short"));
});

it("pages are kept per person, for half an hour", async () => {
  const clock = new ManualClock();
  const paged = withPages(async () => reply("x ".repeat(5000)), { pageChars: 1800, clock });
  expect((await paged(ask("lookup a", "u1"))).more).toBe(true);
  expect((await paged(ask("more", "u2"))).text).toContain("Nothing more");
  clock.advance(31 * 60_000);
  expect((await paged(ask("more", "u1"))).text).toContain("Nothing more");
});
