import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";
import { isSafeId } from "../advisory/ids.js";
import { RATINGS } from "../advisory/severity.js";
import { LIMITS, type SeverityFloor } from "../channel.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";
import { parseWatch, SpecError, type Watch } from "../matching/specifiers.js";

export type Command =
  | { readonly name: "watch"; readonly watches: Watch[] }
  | { readonly name: "unwatch"; readonly names: NormalizedName[] }
  | { readonly name: "list" }
  | { readonly name: "lookup"; readonly package: NormalizedName; readonly version?: string }
  | { readonly name: "mode"; readonly mode: "live" | "digest" }
  | { readonly name: "digest-time"; readonly time: string; readonly timezone: string }
  | { readonly name: "severity"; readonly floor: SeverityFloor }
  | { readonly name: "mute" | "unmute"; readonly id: string }
  | { readonly name: "status" }
  | { readonly name: "help" };

/** Commands that change a channel's subscription and so need permission to manage it. */
export const MANAGING = new Set<Command["name"]>(["watch", "unwatch", "mode", "digest-time", "severity", "mute", "unmute"]);

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
      if (args.length < 1 || args.length > 2) throw new UserInputError("Usage: digest-time HH:MM [IANA timezone], e.g. digest-time 08:30 Europe/Berlin");
      const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(args[0]!);
      if (!m) throw new UserInputError(`"${args[0]}" is not a time of day (HH:MM, 00:00 to 23:59).`);
      const timezone = args[1] ?? "UTC";
      if (!isTimezone(timezone)) throw new UserInputError(`"${timezone}" is not an IANA timezone (e.g. UTC, Europe/Berlin, America/New_York).`);
      return { name, time: `${m[1]!.padStart(2, "0")}:${m[2]}`, timezone };
    }
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
