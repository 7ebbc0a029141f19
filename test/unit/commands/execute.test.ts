import { beforeEach, describe, expect, it } from "vitest";
import { createCommandHandler, type CommandHandler } from "../../../src/commands/execute.js";
import { WatchIndex } from "../../../src/matching/watch-index.js";
import { createKeyvAdvisoryStore } from "../../../src/store/keyv-advisory-store.js";
import { createKeyvChannelStore } from "../../../src/store/keyv-channel-store.js";
import { createKeyvCursorStore } from "../../../src/store/keyv-cursor-store.js";
import { createKeyvOutbox } from "../../../src/store/keyv-outbox.js";
import { openDb } from "../../../src/store/open.js";
import { createChannelService, type ChannelService } from "../../../src/channels/channel-service.js";
import { parsePypaYaml } from "../../../src/advisory/osv-schema.js";
import { readFixture } from "../../helpers/fixtures.js";
import { ManualClock } from "../../helpers/manual-clock.js";

let handle: CommandHandler;
let channels: ChannelService;
let index: WatchIndex;

const run = async (text: string, canManage = true, channel = "console:x") => (await handle({ channel, user: "u", canManage, text })).text;

beforeEach(async () => {
  const db = await openDb("memory://");
  const clock = new ManualClock();
  const advisories = createKeyvAdvisoryStore(db, clock);
  await advisories.upsertMany(
    [["requests", "PYSEC-2023-74"], ["requests", "PYSEC-2018-28"], ["django", "PYSEC-2011-1"]].map(([p, id]) => parsePypaYaml(readFixture("pypa", "vulns", p!, `${id}.yaml`))),
    { quiet: true },
  );
  index = new WatchIndex();
  channels = createChannelService(createKeyvChannelStore(db), index);
  handle = createCommandHandler({ channels, advisories, cursors: createKeyvCursorStore(db), delivery: createKeyvOutbox(db), clock });
});

describe("command core", () => {
  it("watch stores the watch, updates the index and says what already affects it", async () => {
    const text = await run("watch requests==2.19.0");
    expect(text).toContain("Now watching requests==2.19.0.");
    // One line: the ids in natural order, and the smallest release that fixes both.
    expect(text).toContain("requests==2.19.0: 2 advisories (PYSEC-2018-28, PYSEC-2023-74) → upgrade to 2.31.0");
    expect((await channels.get("console:x"))?.watches).toEqual([{ name: "requests", specifier: "==2.19.0" }]);
    expect(index.watchers("requests" as never)).toEqual(["console:x"]);
  });

  it("a mute until a date in the past is refused; today (UTC, as mutes lapse) is the earliest", async () => {
    // The manual clock stands at 2026-11-25T09:00Z.
    expect(await run("mute requests until 2026-11-24")).toBe('"2026-11-24" is in the past (today is 2026-11-25, UTC); give a date from today on, or leave "until" out to mute for good.');
    expect((await channels.get("console:x"))?.mutes ?? []).toEqual([]);
    expect(await run("mute requests until 2026-11-25")).toContain("until 2026-11-25 (inclusive)");
  });

  it("refuses changes from someone who may not manage the channel, but allows lookup", async () => {
    for (const cmd of ["watch requests", "unwatch requests", "mode digest", "digest-time 08:00", "severity high", "mute PYSEC-2023-74", "unmute X-1"]) {
      expect(await run(cmd, false)).toMatch(/Only people who can manage this channel/);
    }
    expect(await channels.get("console:x")).toBeUndefined();
    expect(await run("lookup requests 2.30.0", false)).toContain("PYSEC-2023-74");
  });

  it("lookup of a fixed version finds nothing; help lists every command", async () => {
    expect(await run("lookup requests 2.31.0")).toMatch(/No known advisory affects requests 2.31.0/);
    const help = await run("help");
    for (const c of ["watch", "unwatch", "list", "lookup", "mode", "digest-time", "severity", "mute", "status", "help"]) expect(help).toContain(c);
  });

  it("list shows watches and settings; unwatch removes them", async () => {
    await run("watch requests django>=4.2,<5");
    await run("mode digest");
    await run("digest-time 07:30 Europe/Berlin");
    await run("severity high");
    await run("mute PYSEC-2023-74");
    const list = await run("list");
    expect(list).toContain("Watching 2: django>=4.2,<5, requests");
    expect(list).toContain("Mode: digest daily at 07:30 Europe/Berlin; severity floor: high; urgent: live");
    expect(list).toContain("Muted: PYSEC-2023-74");
    expect(await run("unwatch requests")).toBe("No longer watching requests.");
    expect(await run("unwatch requests")).toBe("This channel was not watching requests.");
  });

  it("enforces the watch limit across commands", async () => {
    await run(`watch ${Array.from({ length: 300 }, (_, i) => `a${i}`).join(" ")}`);
    expect(await run(`watch ${Array.from({ length: 201 }, (_, i) => `b${i}`).join(" ")}`)).toMatch(/would watch 501 packages; the limit is 500/);
    expect((await channels.get("console:x"))?.watches).toHaveLength(300);
  });

  it("status reports sources and pending alerts", async () => {
    expect(await run("status")).toMatch(/Mirror: 3 advisories\.\nNo source has been polled yet\./);
  });
});
