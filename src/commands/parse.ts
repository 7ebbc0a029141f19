import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";
import { isSafeId } from "../advisory/ids.js";
import { RATINGS } from "../advisory/severity.js";
import { LIMITS, WEEKDAYS, type SeverityFloor, type Weekday } from "../channel.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";
import { parseWatch, SpecError, type Watch } from "../matching/specifiers.js";

export type Command =
  | { readonly name: "watch"; readonly watches: Watch[] }
  | { readonly name: "unwatch"; readonly names: NormalizedName[] }
  | { readonly name: "list" }
  | { readonly name: "lookup"; readonly package: NormalizedName; readonly version?: string }
  | { readonly name: "mode"; readonly mode: "live" | "digest" }
  | { readonly name: "digest-time"; readonly time: string; readonly timezone: string; readonly day?: Weekday }
  | { readonly name: "quiet"; readonly window?: { readonly from: string; readonly to: string } }
  | { readonly name: "urgent"; readonly urgent: "live" | "digest" }
  | { readonly name: "all-clear"; readonly on: boolean }
  | { readonly name: "severity"; readonly floor: SeverityFloor }
  | { readonly name: "mute" | "unmute"; readonly id: string }
  | { readonly name: "status" }
  | { readonly name: "help" };

/** Commands that change a channel's subscription and so need permission to manage it. */
export const MANAGING = new Set<Command["name"]>(["watch", "unwatch", "mode", "digest-time", "quiet", "urgent", "all-clear", "severity", "mute", "unmute"]);

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

function timeOfDay(text: string): string {
  const m = TIME.exec(text);
  if (!m) throw new UserInputError(`"${text.slice(0, 20)}" is not a time of day (HH:MM, 00:00 to 23:59).`);
  return `${m[1]!.padStart(2, "0")}:${m[2]}`;
}

function onOff(args: string[], usage: string): boolean {
  const v = exactlyOne(args, usage).toLowerCase();
  if (v !== "on" && v !== "off") throw new UserInputError(`Usage: ${usage}`);
  return v === "on";
}

const OPERATOR_START = /^[<>=!~,]/;
const OPERATOR_END = /[<>=!~,]$/;

/** Splits on whitespace but keeps `django >= 4.2, <5` together as one spec. */
export function splitSpecs(text: string): string[] {
  const out: string[] = [];
  for (const token of text.split(/\s+/).filter(Boolean)) {
    const last = out.length - 1;
    if (last >= 0 && (OPERATOR_START.test(token) || OPERATOR_END.test(out[last]!))) out[last] += token;
    else out.push(token);
  }
  return out;
}

export function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function packageName(raw: string | undefined, usage: string): NormalizedName {
  if (!raw) throw new UserInputError(`Missing package name. Usage: ${usage}`);
  if (!isValidName(raw)) throw new UserInputError(`"${raw}" is not a valid package name (letters, digits, and . _ - between them).`);
  return canonicalPackage(raw);
}

function exactlyOne(args: string[], usage: string): string {
  if (args.length !== 1) throw new UserInputError(`Usage: ${usage}`);
  return args[0]!;
}

/** Parses one command line (without the platform's prefix). Throws UserInputError with a message for the person. */
export function parseCommand(input: string): Command {
  if (input.length > LIMITS.inputChars) throw new UserInputError(`That is ${input.length} characters; the limit is ${LIMITS.inputChars}.`);
  const [rawName = "help", ...args] = input.trim().replace(/^\//, "").split(/\s+/).filter(Boolean);
  const name = rawName.toLowerCase();
  switch (name) {
    case "watch": {
      const specs = splitSpecs(args.join(" "));
      if (specs.length === 0) throw new UserInputError("Usage: watch <package[spec]>... e.g. `watch requests django>=4.2,<5`");
      if (specs.length > LIMITS.watchesPerChannel) throw new UserInputError(`At most ${LIMITS.watchesPerChannel} packages can be watched in one channel.`);
      const watches = specs.map((s) => {
        try {
          return parseWatch(s);
        } catch (err) {
          if (err instanceof SpecError) throw new UserInputError(`Cannot watch ${s}: ${err.message}.`);
          throw err;
        }
      });
      return { name, watches };
    }
    case "unwatch":
      if (args.length === 0) throw new UserInputError("Usage: unwatch <package>...");
      return { name, names: args.map((a) => packageName(a, "unwatch <package>...")) };
    case "list":
    case "status":
    case "help":
      return { name };
    case "lookup": {
      if (args.length < 1 || args.length > 2) throw new UserInputError("Usage: lookup <package> [version]");
      const pkg = packageName(args[0], "lookup <package> [version]");
      const version = args[1];
      if (version !== undefined && !isVersion(version)) throw new UserInputError(`"${version}" is not a valid PEP 440 version.`);
      return { name, package: pkg, ...(version !== undefined && { version }) };
    }
    case "mode": {
      const mode = exactlyOne(args, "mode live|digest").toLowerCase();
      if (mode !== "live" && mode !== "digest") throw new UserInputError(`Unknown mode "${mode}". Usage: mode live|digest`);
      return { name, mode };
    }
    case "digest-time": {
      const usage = "Usage: digest-time [mon…sun] HH:MM [IANA timezone], e.g. digest-time 08:30 Europe/Berlin or digest-time mon 09:00 UTC";
      const rest = [...args];
      const day = (WEEKDAYS as readonly string[]).includes(rest[0]?.toLowerCase() ?? "") ? (rest.shift()!.toLowerCase() as Weekday) : undefined;
      if (rest.length < 1 || rest.length > 2) throw new UserInputError(usage);
      const time = timeOfDay(rest[0]!);
      const timezone = rest[1] ?? "UTC";
      if (!isTimezone(timezone)) throw new UserInputError(`"${timezone}" is not an IANA timezone (e.g. UTC, Europe/Berlin, America/New_York).`);
      return { name, time, timezone, ...(day && { day }) };
    }
    case "quiet": {
      const arg = exactlyOne(args, "quiet HH:MM-HH:MM | quiet off").toLowerCase();
      if (arg === "off") return { name };
      const [from = "", to = ""] = arg.split("-");
      const window = { from: timeOfDay(from), to: timeOfDay(to) };
      if (window.from === window.to) throw new UserInputError("A quiet window needs different start and end times.");
      return { name, window };
    }
    case "urgent": {
      const v = exactlyOne(args, "urgent live|digest").toLowerCase();
      if (v !== "live" && v !== "digest") throw new UserInputError("Usage: urgent live|digest");
      return { name, urgent: v };
    }
    case "all-clear":
      return { name, on: onOff(args, "all-clear on|off") };
    case "severity": {
      const floor = exactlyOne(args, "severity any|low|medium|high|critical").toLowerCase();
      if (floor !== "any" && !(RATINGS as readonly string[]).includes(floor)) {
        throw new UserInputError(`Unknown severity "${floor}". Usage: severity any|low|medium|high|critical`);
      }
      return { name, floor: floor as SeverityFloor };
    }
    case "mute":
    case "unmute": {
      const id = exactlyOne(args, `${name} <advisory-id>`);
      if (!isSafeId(id)) throw new UserInputError(`"${id.slice(0, 80)}" is not an advisory id (e.g. PYSEC-2023-74, GHSA-j8r2-6x86-q33q, CVE-2023-32681).`);
      return { name, id: id.toUpperCase() };
    }
    default:
      throw new UserInputError(`Unknown command "${rawName.slice(0, 40)}". Type help for the list of commands.`);
  }
}
