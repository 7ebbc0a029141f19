import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";
import { isSafeId } from "../advisory/ids.js";
import { RATINGS } from "../advisory/severity.js";
import { LIMITS, WEEKDAYS, type Mute, type SeverityFloor, type Weekday } from "../channel.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";
import { parseWatch, SpecError, type Watch } from "../matching/specifiers.js";
import { COMMAND_TABLE, commandNamed } from "./table.js";

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
  | { readonly name: "signals"; readonly level: "all" | "security" | "off" }
  | { readonly name: "severity"; readonly floor: SeverityFloor }
  | { readonly name: "mute"; readonly mute: Mute }
  | { readonly name: "unmute"; readonly target: string }
  | { readonly name: "fixed-only" | "lookalikes" | "kev-only"; readonly on: boolean }
  | { readonly name: "epss"; readonly floor: number }
  | { readonly name: "import"; readonly label: string; readonly text: string }
  | { readonly name: "unwatch-label"; readonly label: string }
  | { readonly name: "status" }
  | { readonly name: "help"; readonly topic?: string }
  /** The next page of a long answer (commands/pager.ts answers it). */
  | { readonly name: "more" }
  /** A link to this channel's web report. */
  | { readonly name: "report" };

/** Commands that change a channel's subscription and so need permission to manage it (the table's, and the import forms). */
export const MANAGING = new Set<Command["name"]>([...COMMAND_TABLE.filter((c) => c.manage).map((c) => c.name as Command["name"]), "import", "unwatch-label"]);

/** A dependency file pasted after `watch -r <label>` may be far longer than a command. */
export const MAX_IMPORT_CHARS = 512 * 1024;
const ADVISORY_ID = /^(PYSEC|GHSA|CVE|MAL|PSF|OSV|SNYK|GSD|BIT|PYUP)-/i;
const LABEL = /^[A-Za-z0-9._/-]{1,100}$/;

function muteTarget(raw: string): Mute {
  if (ADVISORY_ID.test(raw)) {
    if (!isSafeId(raw)) throw new UserInputError(`"${raw.slice(0, 80)}" is not an advisory id.`);
    return { kind: "advisory", target: raw.toUpperCase() };
  }
  if (isValidName(raw)) return { kind: "package", target: canonicalPackage(raw) };
  throw new UserInputError(`"${raw.slice(0, 80)}" is neither an advisory id (e.g. PYSEC-2023-74, GHSA-j8r2-6x86-q33q, CVE-2023-32681) nor a package name.`);
}

/** A label for an attached file's name: "requirements (1).txt" → "requirements-1-.txt". */
/** YYYY-MM-DD naming a day that exists (Date.parse rolls 2024-02-30 over to 1 March). */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

export function labelFromFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._/-]+/g, "-").slice(0, 100) || "file";
}

function label(raw: string | undefined): string {
  if (!raw || !LABEL.test(raw)) throw new UserInputError("Usage: watch -r <label> followed by the file's text on the next lines, e.g. watch -r api/uv.lock (labels use letters, digits and . _ / -)");
  return raw;
}

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

/** A dependency file to watch, pasted after `watch -r <label>` or handed over by an adapter (an uploaded file). */
export interface Attachment {
  readonly label: string;
  readonly text: string;
}

/** The import command for a file, checked as a pasted one is: its label, its size, some text. */
export function importCommand(file: Attachment): Command {
  if (file.text.length > MAX_IMPORT_CHARS) throw new UserInputError(`That file is ${file.text.length} characters; the limit is ${MAX_IMPORT_CHARS}.`);
  if (!file.text.trim()) throw new UserInputError(`Paste the file's text after "watch -r ${file.label}" on the next lines.`);
  return { name: "import", label: label(file.label), text: file.text };
}

/** Parses one command line (without the platform's prefix). Throws UserInputError with a message for the person. */
export function parseCommand(input: string): Command {
  // "/pysec list" (as Slack and Discord users type it) is "list".
  input = input.replace(/^\s*\/?pysec\b[^\S\n]*/i, "");
  const imported = /^\s*\/?(un)?watch\s+-r\s+(\S+)[^\S\n]*(?:\n([\s\S]*))?$/i.exec(input);
  if (imported) {
    if (imported[1]) return { name: "unwatch-label", label: label(imported[2]) };
    return importCommand({ label: imported[2]!, text: imported[3] ?? "" });
  }
  if (input.length > LIMITS.inputChars) throw new UserInputError(`That is ${input.length} characters; the limit is ${LIMITS.inputChars}.`);
  const [rawName = "help", ...args] = input.trim().replace(/^\//, "").split(/\s+/).filter(Boolean);
  // Any platform's name for a command (Telegram's /all_clear, /digest) is the command.
  const name = commandNamed(rawName)?.name ?? rawName.toLowerCase();
  switch (name) {
    case "watch": {
      const specs = splitSpecs(args.join(" "));
      if (specs.length === 0) throw new UserInputError("Usage: watch <package[spec]>... e.g. `watch requests django>=4.2,<5`");
      if (specs.length > LIMITS.watchesPerChannel) throw new UserInputError(`At most ${LIMITS.watchesPerChannel} packages can be watched in one channel.`);
      const watches = specs.map((s) => {
        // "bogus!!name": what follows the name's letters is no operator, so the name is what is wrong.
        const after = /^[A-Za-z0-9._-]+(.*)$/s.exec(s)?.[1] ?? "";
        if (after && !/^\s*(\[|;|@|==|!=|<=|>=|~=|<|>|,)/.test(after)) throw new UserInputError(`Cannot watch ${s.slice(0, 80)}: "${s.slice(0, 80)}" is not a valid package name (letters, digits, and . _ - between them). Nothing was watched.`);
        try {
          return parseWatch(s);
        } catch (err) {
          if (err instanceof SpecError) throw new UserInputError(`Cannot watch ${s}: ${err.message}. Nothing was watched.`);
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
    case "more":
    case "report":
      return { name };
    case "help":
      return { name, ...(args[0] && { topic: args[0].toLowerCase().replace(/^\//, "") }) };
    case "lookup": {
      // "lookup django==3.2" is how a pin is written everywhere else.
      const pin = args.length === 1 ? /^([^=<>!~\s]+)==([^=\s]+)$/.exec(args[0]!) : null;
      const words = pin ? [pin[1]!, pin[2]!] : args;
      if (words.length < 1 || words.length > 2) throw new UserInputError("Usage: lookup <package> [version], or lookup <package>==<version>");
      const pkg = packageName(words[0], "lookup <package> [version]");
      const version = words[1];
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
    case "signals": {
      const level = exactlyOne(args, "signals all|security|off").toLowerCase();
      if (level !== "all" && level !== "security" && level !== "off") throw new UserInputError("Usage: signals all|security|off");
      return { name, level };
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
    case "mute": {
      const usage = "Usage: mute <advisory-id|package> [until YYYY-MM-DD | until-fixed] [reason]";
      if (args.length === 0) throw new UserInputError(usage);
      const target = muteTarget(args[0]!);
      let rest = args.slice(1);
      let until: string | undefined;
      let untilFixed = false;
      // "until-fixed" (or "until fixed"): until the advisory has a fixed version for the package.
      if (rest[0]?.toLowerCase() === "until-fixed" || (rest[0]?.toLowerCase() === "until" && rest[1]?.toLowerCase() === "fixed")) {
        untilFixed = true;
        rest = rest.slice(rest[0]!.toLowerCase() === "until-fixed" ? 1 : 2);
      } else if (rest[0]?.toLowerCase() === "until") {
        until = rest[1];
        if (!until || !isCalendarDate(until)) throw new UserInputError(`"${until ?? ""}" is not a date (YYYY-MM-DD). ${usage}`);
        rest = rest.slice(2);
      }
      const reason = rest.join(" ").slice(0, 200);
      return { name, mute: { ...target, ...(until && { until }), ...(untilFixed && { untilFixed }), ...(reason && { reason }) } };
    }
    case "unmute":
      return { name, target: muteTarget(exactlyOne(args, "unmute <advisory-id|package>")).target };
    case "fixed-only":
    case "lookalikes":
    case "kev-only":
      return { name, on: onOff(args, `${name} on|off`) };
    case "epss": {
      const raw = exactlyOne(args, "epss <0..1>, e.g. epss 0.1 (0 turns the floor off)");
      const floor = Number(raw);
      if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(raw) || !Number.isFinite(floor)) throw new UserInputError(`"${raw.slice(0, 20)}" is not a probability between 0 and 1.`);
      return { name, floor };
    }
    default:
      throw new UserInputError(`Unknown command "${rawName.slice(0, 40)}". Type help for the list of commands.`);
  }
}
