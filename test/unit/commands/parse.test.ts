import { describe, expect, it } from "vitest";
import { parseCommand, splitSpecs } from "../../../src/commands/parse.js";
import { helpFor } from "../../../src/commands/help.js";
import { UserInputError } from "../../../src/errors.js";

describe("command parsing", () => {
  it("parses every command", () => {
    expect(parseCommand("watch requests django>=4.2,<5 numpy==1.26.4")).toEqual({
      name: "watch",
      watches: [
        { name: "requests", specifier: "" },
        { name: "django", specifier: ">=4.2,<5" },
        { name: "numpy", specifier: "==1.26.4" },
      ],
    });
    expect(parseCommand("/unwatch Django jw.util")).toEqual({ name: "unwatch", names: ["django", "jw-util"] });
    expect(parseCommand("list")).toEqual({ name: "list" });
    expect(parseCommand("lookup requests 2.28.1")).toEqual({ name: "lookup", package: "requests", version: "2.28.1" });
    expect(parseCommand("lookup requests")).toEqual({ name: "lookup", package: "requests" });
    expect(parseCommand("mode Digest")).toEqual({ name: "mode", mode: "digest" });
    expect(parseCommand("digest-time 8:05 Europe/Berlin")).toEqual({ name: "digest-time", time: "08:05", timezone: "Europe/Berlin" });
    expect(parseCommand("digest-time 23:59")).toEqual({ name: "digest-time", time: "23:59", timezone: "UTC" });
    expect(parseCommand("digest-time Mon 09:00 Europe/Berlin")).toEqual({ name: "digest-time", time: "09:00", timezone: "Europe/Berlin", day: "mon" });
    expect(parseCommand("quiet 22:00-07:00")).toEqual({ name: "quiet", window: { from: "22:00", to: "07:00" } });
    expect(parseCommand("quiet off")).toEqual({ name: "quiet" });
    expect(parseCommand("urgent digest")).toEqual({ name: "urgent", urgent: "digest" });
    expect(parseCommand("all-clear on")).toEqual({ name: "all-clear", on: true });
    expect(parseCommand("severity HIGH")).toEqual({ name: "severity", floor: "high" });
    expect(parseCommand("mute ghsa-j8r2-6x86-q33q")).toEqual({ name: "mute", mute: { kind: "advisory", target: "GHSA-J8R2-6X86-Q33Q" } });
    expect(parseCommand("mute Django until 2026-12-31 waiting for the 5.x upgrade")).toEqual({
      name: "mute", mute: { kind: "package", target: "django", until: "2026-12-31", reason: "waiting for the 5.x upgrade" },
    });
    expect(parseCommand("unmute PYSEC-2023-74")).toEqual({ name: "unmute", target: "PYSEC-2023-74" });
    for (const form of ["mute PYSEC-2023-74 until-fixed no proxies here", "mute PYSEC-2023-74 until fixed no proxies here"]) {
      expect(parseCommand(form)).toEqual({ name: "mute", mute: { kind: "advisory", target: "PYSEC-2023-74", untilFixed: true, reason: "no proxies here" } });
    }
    expect(parseCommand("fixed-only on")).toEqual({ name: "fixed-only", on: true });
    expect(parseCommand("watch -r api/uv.lock\n[[package]]\nname = \"a\"")).toEqual({ name: "import", label: "api/uv.lock", text: "[[package]]\nname = \"a\"" });
    expect(parseCommand("unwatch -r api/uv.lock")).toEqual({ name: "unwatch-label", label: "api/uv.lock" });
    expect(parseCommand("status")).toEqual({ name: "status" });
    expect(parseCommand("help")).toEqual({ name: "help" });
    expect(parseCommand("")).toEqual({ name: "help" });
  });

  it("keeps a spec with spaces around its operators together", () => {
    expect(splitSpecs("django >= 4.2, < 5 requests")).toEqual(["django>=4.2,<5", "requests"]);
  });

  it.each([
    ["watch", /Usage: watch/],
    // The name is what is wrong, not a specifier (it blamed "!name").
    ["watch bad!name", /Cannot watch bad!name: "bad!name" is not a valid package name/],
    ["watch Flask>=1.0,<2 bogus!!name", /Cannot watch bogus!!name: "bogus!!name" is not a valid package name.*Nothing was watched\./],
    ["watch bad$name", /Cannot watch bad\$name: "bad\$name" is not a valid package name/],
    ["watch django>=x", /Cannot watch django>=x: "x" is not a valid version/],
    ["unwatch", /Usage: unwatch/],
    ["unwatch <@everyone>", /not a valid package name/],
    ["lookup", /Usage: lookup/],
    ["lookup a b c", /Usage: lookup/],
    ["lookup requests not-a-version", /not a valid PEP 440 version/],
    ["mode loud", /Unknown mode "loud"/],
    ["mode", /Usage: mode/],
    ["digest-time 25:00", /not a time of day/],
    ["digest-time 9am", /not a time of day/],
    ["digest-time 09:00 Mars/Olympus", /not an IANA timezone/],
    ["digest-time", /Usage: digest-time/],
    ["severity extreme", /Unknown severity/],
    ["digest-time funday 09:00", /not a time of day/],
    ["quiet 22:00", /not a time of day/],
    ["quiet 22:00-22:00", /different start and end/],
    ["quiet", /Usage: quiet/],
    ["urgent sometimes", /Usage: urgent/],
    ["all-clear maybe", /Usage: all-clear/],
    ["mute", /Usage: mute/],
    ["mute <script>", /neither an advisory id .* nor a package name/],
    ["mute requests until tomorrow", /"tomorrow" is not a date/],
    ["mute requests until 2026-02-30x", /is not a date/],
    ["fixed-only sometimes", /Usage: fixed-only/],
    ["watch -r api/uv.lock", /Paste the file's text/],
    ["watch -r ../../etc/passwd!\nx", /labels use letters/],
    ["frobnicate", /Unknown command "frobnicate"/],
    [`watch ${"a".repeat(2001)}`, /limit is 2000/],
    [`watch ${Array.from({ length: 501 }, (_, i) => String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26))).join(" ")}`, /At most 500/],
  ])("rejects %j with a clear message", (text, message) => {
    expect(() => parseCommand(text)).toThrow(UserInputError);
    expect(() => parseCommand(text)).toThrow(message);
  });
});

describe("as people type commands", () => {
  it("accepts the /pysec prefix, and help for one command", () => {
    expect(parseCommand("/pysec list")).toEqual({ name: "list" });
    expect(parseCommand("pysec lookup requests 2.28.1")).toMatchObject({ name: "lookup", package: "requests", version: "2.28.1" });
    expect(parseCommand("help watch")).toEqual({ name: "help", topic: "watch" });
    expect(helpFor("watch")).toContain("watch <package[spec]>...");
    expect(helpFor("watch")).not.toContain("lookalikes");
    expect(helpFor("frobnicate")).toMatch(/^No command "frobnicate"/);
  });
});
