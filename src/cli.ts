import { notable, pypiView } from "./commands/pypi-line.js";
import { createKeyvPypiFacts } from "./store/keyv-pypi-facts.js";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { AUDIT_FORMATS, auditPins, auditSummary, ignoring, writeAudit, type AuditFormat } from "./audit/audit.js";
import { collectPins } from "./audit/collect.js";
import { systemClock, type Clock } from "./clock.js";
import { parseCommand } from "./commands/parse.js";
import { envHelp, loadConfig, secretValues, type Config } from "./config.js";
import { errorMessage, UserInputError } from "./errors.js";
import { createLogger, type Logger } from "./log.js";
import { findAffecting, formatFinding } from "./lookup.js";
import { exportChannels, importChannels, parseBackup } from "./backup.js";
import { openMirror } from "./mirror.js";
import { cannotTellAbout, mirrorState, staleness } from "./mirror-state.js";
import { createKeyvChannelStore } from "./store/keyv-channel-store.js";
import { createKeyvCursorStore } from "./store/keyv-cursor-store.js";
import { openDb } from "./store/open.js";
import type { ChannelStore } from "./store/ports/channels.js";
import type { Services } from "./services.js";

export interface CliIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin?: Readable;
  readonly env: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `start` runs until then. */
  readonly stopSignal?: Promise<void>;
}

export const EXIT = { ok: 0, vulnerable: 1, failed: 1, badInput: 2 } as const;

export function usage(): string {
  return `pysec-herald: security advisories for the Python packages your channels depend on

Usage: pysec-herald <command> [options]

Commands:
  start [--watch SPEC]...                Run the bot (default): poll advisory sources, deliver alerts.
                                         With DISCORD_TOKEN and DISCORD_APPLICATION_ID set, it serves
                                         Discord; with no chat token, alerts print here and commands
                                         are read from stdin (type help).
  sync [--from PATH]                     Seed or refresh the local advisory mirror, then exit. With
                                         --from: from an OSV all.zip, or a directory laid out like
                                         the bucket (PyPI/all.zip, PyPI/modified_id.csv,
                                         PyPI/<ID>.json), without the network.
  lookup <package> [version] [--json]    Known advisories for a package, from the local mirror.
  audit -r <requirements.txt>... [--format columns|json|markdown|text] [--ignore-vuln ID]...
        [--signals] [--strict-signals]   Check pinned requirements against the local mirror, as
                                         pip-audit does: -r may be given several times, -r - reads
                                         standard input, -r/-c lines inside are followed. A table
                                         by default (json: pip-audit's JSON). --signals adds what
                                         PyPI says of each pin (released, latest, yanked, project
                                         status, provenance; JSON: "signals"), from what the bot's
                                         pypi source stored. Exit 0 clean, 1 vulnerable (or, with
                                         --strict-signals, a pin yanked, a project not active or
                                         under 90 days old), 2 bad input (every bad line is named).
  export [FILE]                          Write every channel, its watches and settings as JSON (to
                                         FILE, or stdout): a backup, or a move to another STORE_URL.
  import FILE                            Restore channels from an export (replacing those with the
                                         same key); the whole file is checked before anything is written.
  discord register [--guild ID]          Register the /pysec command globally, or in one guild
                                         (appears at once; for testing).
  help, --help                           This text.
  --version                              The version of pysec-herald.

Environment:
${envHelp()}
`;
}

async function withServices<T>(config: Config, log: Logger, clock: Clock, fn: (s: Services) => Promise<T>, onSeedProgress?: (n: number) => void): Promise<T> {
  // Sources and their libraries load only for the commands that poll.
  const { openServices } = await import("./services.js");
  const services = await openServices(config, log, clock, { ...(onSeedProgress && { onSeedProgress }) });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

type Mirror = Pick<Services, "db" | "advisories">;

async function withMirror<T>(config: Config, clock: Clock, fn: (m: Mirror) => Promise<T>): Promise<T> {
  const mirror = await openMirror(config, clock);
  try {
    return await fn(mirror);
  } finally {
    await mirror.db.close();
  }
}

async function withChannels<T>(config: Config, fn: (c: ChannelStore) => Promise<T>): Promise<T> {
  const db = await openDb(config.storeUrl);
  try {
    return await fn(createKeyvChannelStore(db));
  } finally {
    await db.close();
  }
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UserInputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}

/** Refuses an empty mirror (exit 2) and warns, on stderr, about one that is out of date. */
async function requireMirror(s: Mirror, io: { readonly staleHours: number; readonly now: Date; readonly err: Writable }): Promise<void> {
  // One key read: counting advisories would read every package's list.
  if ((await s.advisories.packageNames()).length === 0) throw new UserInputError("The local mirror is empty: run `pysec-herald sync` first (it needs the network once).");
  const note = staleness(mirrorState(true, await createKeyvCursorStore(s.db).get("osv"), io.now, io.staleHours));
  if (note) io.err.write(`warning:${note}\n`);
}

type Answer = { readonly out: Writable; readonly err: Writable; readonly staleHours: number; readonly now: Date };

async function lookupCommand(args: string[], json: boolean, s: Mirror, io: Answer): Promise<number> {
  const { out } = io;
  const cmd = parseCommand(`lookup ${args.join(" ")}`);
  if (cmd.name !== "lookup") return EXIT.badInput;
  await requireMirror(s, io);
  const found = await findAffecting(s.advisories, { name: cmd.package, specifier: cmd.version ? `==${cmd.version}` : "" });
  // Nothing found is "no known advisory" only where every source that knows of the name has answered.
  const cannot = found.length === 0 && cannotTellAbout([cmd.package], { kind: "ready" }, await createKeyvCursorStore(s.db).get("psf"), cmd.version ? `${cmd.package} ${cmd.version}` : cmd.package);
  if (cannot) throw new UserInputError(cannot);
  if (json) {
    out.write(`${JSON.stringify(found.map((f) => ({
      id: f.stored.advisory.id,
      aliases: f.stored.advisory.aliases,
      summary: f.stored.advisory.summary ?? null,
      severity: { rating: f.severity.rating, score: f.severity.score ?? null },
      affected: f.effect.versions,
      fixed: f.effect.fixed,
      withdrawn: f.stored.advisory.withdrawn ?? null,
    })), null, 2)}\n`);
  } else {
    const what = cmd.version ? `${cmd.package} ${cmd.version}` : cmd.package;
    out.write(found.length === 0 ? `No known advisory affects ${what}.\n` : `${found.map((f) => formatFinding(f, cmd.version)).join("\n")}\n`);
  }
  return EXIT.ok;
}

interface AuditArgs {
  readonly files: readonly string[];
  readonly format: string;
  readonly ignore: readonly string[];
  /** PyPI's facts per pin; `strict`: a notable one fails the audit (exit 1). */
  readonly signals: "off" | "show" | "strict";
  readonly stdin?: Readable;
}

async function auditCommand(args: AuditArgs, s: Mirror, io: Answer): Promise<number> {
  const { out, err } = io;
  if (args.files.length === 0) throw new UserInputError("audit needs -r <requirements file> (or -r - for standard input)");
  const format = args.format as AuditFormat;
  if (!AUDIT_FORMATS.includes(format)) throw new UserInputError(`unknown --format "${args.format}" (${AUDIT_FORMATS.join(", ")})`);
  const { pins, warnings } = await collectPins(args.files, (f) => (f === "-" ? readStdin(args.stdin) : readInput(f)));
  await requireMirror(s, io);
  for (const w of warnings) err.write(`warning: ${w}\n`);
  let results = ignoring(await auditPins(s.advisories, pins), args.ignore);
  if (args.signals !== "off") {
    const facts = await createKeyvPypiFacts(s.db).getMany([...new Set(pins.map((p) => p.name))]);
    const now = io.now;
    results = results.map((r) => {
      const f = facts.get(r.pin.name);
      return { ...r, signals: f ? pypiView(f, { name: r.pin.name, specifier: `==${r.pin.version}` }, now) : null };
    });
    if (facts.size === 0 && pins.length > 0) err.write("warning: PyPI's facts are not known for any of these packages yet (the bot's pypi source stores them for watched packages)\n");
  }
  await writeAudit(out, results, format, warnings);
  if (format !== "json" && format !== "text") err.write(`${auditSummary(results)}\n`);
  const flagged = args.signals === "strict" && results.some((r) => r.signals && notable(r.signals));
  return results.some((r) => r.findings.length > 0) || flagged ? EXIT.vulnerable : EXIT.ok;
}

async function readStdin(stdin: Readable | undefined): Promise<string> {
  if (!stdin) throw new UserInputError("-r -: there is no standard input to read");
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * `sync --from PATH`: a directory laid out like OSV's bucket (PyPI/all.zip, PyPI/modified_id.csv,
 * PyPI/<ID>.json), or one all.zip, which is linked into a temporary directory of that layout.
 */
async function localBucket(path: string): Promise<{ url: string; zipOnly: boolean; close(): Promise<void> }> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UserInputError(`${path}: no such file or directory`);
  if (info.isDirectory()) return { url: pathToFileURL(resolve(path)).href, zipOnly: false, close: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), "pysec-herald-from-"));
  await mkdir(join(dir, "PyPI"));
  await symlink(resolve(path), join(dir, "PyPI", "all.zip"));
  return { url: pathToFileURL(dir).href, zipOnly: true, close: () => rm(dir, { recursive: true, force: true }) };
}

/** This release's version, from the package.json next to the sources or the compiled dist/. */
function version(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pysec-herald" && pkg.version) return pkg.version;
    } catch {
      // not this level
    }
  }
  return "unknown";
}

/** Runs one CLI invocation and returns its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        watch: { type: "string", multiple: true },
        json: { type: "boolean" },
        requirement: { type: "string", short: "r", multiple: true },
        format: { type: "string" },
        "ignore-vuln": { type: "string", multiple: true },
        guild: { type: "string" },
        version: { type: "boolean" },
        from: { type: "string" },
        signals: { type: "boolean" },
        "strict-signals": { type: "boolean" },
      },
    });
  } catch (err) {
    // One line and a hint, not the whole help: "Unknown option '--frmat'".
    const message = errorMessage(err).split(". ")[0]!.replace(/\.$/, "");
    io.stderr.write(`pysec-herald: ${message}. See pysec-herald --help.\n`);
    return EXIT.badInput;
  }
  const [command = "start", ...rest] = parsed.positionals;
  if (parsed.values.help || command === "help") {
    io.stdout.write(usage());
    return EXIT.ok;
  }
  if (parsed.values.version) {
    io.stdout.write(`pysec-herald ${version()}\n`);
    return EXIT.ok;
  }
  const clock = io.clock ?? systemClock;
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n`);
    return EXIT.badInput;
  }
  const pretty = config.logFormat === "pretty" || (config.logFormat === "auto" && Boolean(io.stderr.isTTY));
  const log = createLogger(config.logLevel, secretValues(io.env), pretty ? "pretty" : "json");
  const answer: Answer = { out: io.stdout, err: io.stderr, staleHours: config.mirrorStaleHours, now: clock.now() };
  try {
    switch (command) {
      case "start": {
        // The chat platforms' libraries load only for commands that need them: audit and lookup start fast.
        const { startBot } = await import("./main.js");
        const bot = await startBot({ config, log, clock, stdout: io.stdout, ...(io.stdin && { stdin: io.stdin }), watch: parsed.values.watch ?? [] });
        await Promise.race([io.stopSignal ?? new Promise(() => undefined), bot.done]);
        await bot.stop();
        return EXIT.ok;
      }
      case "sync": {
        const tty = Boolean(io.stderr.isTTY);
        const from = parsed.values.from === undefined ? undefined : await localBucket(parsed.values.from);
        if (from) config = { ...config, osvBucketUrl: from.url, sources: ["osv"] };
        return await withServices(config, log, clock, async (s) => {
          try {
            if (from?.zipOnly && (await s.cursors.get("osv")).cursor !== undefined) {
              throw new UserInputError(`${parsed.values.from}: the mirror is seeded already; to update it offline, give a directory laid out like the bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json)`);
            }
            const outcomes = await Promise.all(s.sources.map((src) => s.poller.pollOnce(src)));
            if (tty) io.stderr.write("\n");
            const count = await s.advisories.count();
            const failed = outcomes.filter((o) => o === undefined).length;
            io.stdout.write(`Mirror holds ${count} advisories${failed ? `; ${failed} source(s) failed, see the log` : ""}.\n`);
            return failed ? EXIT.failed : EXIT.ok;
          } finally {
            await from?.close();
          }
        }, tty ? (n) => io.stderr.write(`\rseeding: ${n} advisories`) : undefined);
      }
      case "discord": {
        if (rest[0] !== "register") throw new UserInputError("usage: pysec-herald discord register [--guild ID]");
        const guild = parsed.values.guild;
        if (guild !== undefined && !/^\d+$/.test(guild)) throw new UserInputError("--guild takes a numeric guild id");
        const { registerDiscordCommands } = await import("./main.js");
        await withServices(config, log, clock, (s) => registerDiscordCommands(config, log, clock, s, guild));
        io.stdout.write(`Registered /pysec ${guild ? `in guild ${guild} (available at once)` : "globally (may take up to an hour to appear)"}.\n`);
        return EXIT.ok;
      }
      case "export":
        return await withChannels(config, async (channels) => {
          const text = await exportChannels(channels, clock.now());
          if (rest[0] && rest[0] !== "-") await writeFile(rest[0], text);
          else io.stdout.write(text);
          return EXIT.ok;
        });
      case "import": {
        const file = rest[0];
        if (!file) throw new UserInputError("usage: pysec-herald import <file> (a file written by `pysec-herald export`)");
        const list = parseBackup(await readInput(file), file);
        return await withChannels(config, async (channels) => {
          io.stdout.write(`${await importChannels(channels, list)}\n`);
          return EXIT.ok;
        });
      }
      case "lookup":
        return await withMirror(config, clock, (s) => lookupCommand(rest, Boolean(parsed.values.json), s, answer));
      case "audit":
        return await withMirror(config, clock, (s) => auditCommand({ files: [...(parsed.values.requirement ?? []), ...rest], format: parsed.values.format ?? "columns", ignore: parsed.values["ignore-vuln"] ?? [], signals: parsed.values["strict-signals"] ? "strict" : parsed.values.signals ? "show" : "off", ...(io.stdin && { stdin: io.stdin }) }, s, answer));
      default:
        io.stderr.write(`pysec-herald: unknown command "${command}". See pysec-herald --help.\n`);
        return EXIT.badInput;
    }
  } catch (err) {
    if (err instanceof UserInputError) {
      io.stderr.write(`pysec-herald: ${err.message}\n`);
      return EXIT.badInput;
    }
    log.error({ err: errorMessage(err) }, "command failed");
    io.stderr.write(`pysec-herald: ${errorMessage(err)}\n`);
    return EXIT.badInput;
  }
}


