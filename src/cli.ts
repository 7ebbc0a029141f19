import { notable, pypiView } from "./commands/pypi-line.js";
import { createKeyvPypiFacts } from "./store/keyv-pypi-facts.js";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { AUDIT_FORMATS, auditPins, auditSummary, ignoring, writeAudit, type AuditFormat } from "./audit/audit.js";
import { collectPins } from "./audit/collect.js";
import { CLI_COMMANDS, commandsHelp, commandUsage } from "./cli-commands.js";
import { unknownNameLines } from "./commands/unknown-names.js";
import { decodeDependencyFile } from "./deps/decode.js";
import { applyIgnores, parseIgnores } from "./audit/ignores.js";
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

Usage: pysec-herald <command> [options]     (pysec-herald <command> --help: one command's options)

Commands:
${commandsHelp()}
  help [COMMAND], --help
      This text, or one command's.
  --version
      The version of pysec-herald.

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
    return decodeDependencyFile(await readFile(file));
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

/** `-o FILE`: the answer goes to FILE (written whole, then closed) instead of standard output. */
async function toOutput(path: string | undefined, io: Answer, fn: (io: Answer) => Promise<number>): Promise<number> {
  if (path === undefined || path === "-") return fn(io);
  const file = createWriteStream(path);
  await new Promise<void>((resolve, reject) => file.once("open", () => resolve()).once("error", (e) => reject(new UserInputError(`${path}: cannot write: ${(e as NodeJS.ErrnoException).code ?? e.message}`))));
  try {
    return await fn({ ...io, out: file });
  } finally {
    await new Promise<void>((resolve) => file.end(resolve));
  }
}

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
    const facts = createKeyvPypiFacts(s.db);
    const [unknown] = found.length ? [] : await unknownNameLines([cmd.package], { mirrorNames: () => s.advisories.packageNames(), pypiKnows: async (n) => new Set((await facts.getMany(n)).keys()) });
    out.write(found.length === 0 ? `${unknown ?? `No known advisory affects ${what}.`}\n` : `${found.map((f) => formatFinding(f, cmd.version)).join("\n")}\n`);
  }
  return EXIT.ok;
}

interface AuditArgs {
  readonly files: readonly string[];
  readonly format: string;
  /** Lines that cannot be audited (-e, URLs, ranges) fail the audit instead of being skipped. */
  readonly strict: boolean;
  /** --ignore-file paths; pyproject.toml here and any audited one add their [tool.pysec-herald] table. */
  readonly ignoreFiles: readonly string[];
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
  const { pins, warnings, skipped } = await collectPins(args.files, (f) => (f === "-" ? readStdin(args.stdin) : readInput(f)), args.strict);
  await requireMirror(s, io);
  for (const w of warnings) err.write(`warning: ${w}\n`);
  for (const line of skipped) err.write(`skipped: ${line}\n`);
  if (skipped.length) err.write(`warning: ${skipped.length} ${skipped.length === 1 ? "line was" : "lines were"} not audited (--strict refuses them instead)\n`);
  const ignoreFiles = [...new Set([...args.ignoreFiles, ...(existsSync("pyproject.toml") ? ["pyproject.toml"] : []), ...args.files.filter((f) => basename(f) === "pyproject.toml")].map((f) => resolve(f)))];
  const ignores = (await Promise.all(ignoreFiles.map(async (f) => parseIgnores(await readInput(f), f)))).flat();
  const ignored = applyIgnores(ignoring(await auditPins(s.advisories, pins), args.ignore), ignores, io.now);
  for (const note of ignored.notes) err.write(`${note}\n`);
  let results = ignored.results;
  if (args.signals !== "off") {
    const facts = await createKeyvPypiFacts(s.db).getMany([...new Set(pins.map((p) => p.name))]);
    const now = io.now;
    results = results.map((r) => {
      const f = facts.get(r.pin.name);
      return { ...r, signals: f ? pypiView(f, { name: r.pin.name, specifier: `==${r.pin.version}` }, now) : null };
    });
    if (facts.size === 0 && pins.length > 0) err.write("warning: PyPI's facts are not known for any of these packages yet (the bot's pypi source stores them for watched packages)\n");
  }
  await writeAudit(out, results, format, [...warnings, ...skipped.map((l) => `skipped: ${l}`)], { toolVersion: version(), now: io.now });
  if (format === "columns" || format === "markdown") err.write(`${auditSummary(results)}\n`);
  const flagged = args.signals === "strict" && results.some((r) => r.signals && notable(r.signals));
  return results.some((r) => r.findings.length > 0) || flagged ? EXIT.vulnerable : EXIT.ok;
}

async function readStdin(stdin: Readable | undefined): Promise<string> {
  if (!stdin) throw new UserInputError("-r -: there is no standard input to read");
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return decodeDependencyFile(Buffer.concat(chunks));
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
  const first = argv[0];
  if (first === "--version") {
    io.stdout.write(`pysec-herald ${version()}\n`);
    return EXIT.ok;
  }
  if (first === "help" || first === "--help" || first === "-h") {
    const topic = argv[1];
    io.stdout.write(topic && CLI_COMMANDS[topic] ? commandUsage(topic) : usage());
    return EXIT.ok;
  }
  // The command comes first; with none (only options, or nothing), it is start.
  const command = first === undefined || first.startsWith("-") ? "start" : first;
  const spec = CLI_COMMANDS[command];
  if (!spec) {
    io.stderr.write(`pysec-herald: unknown command "${command}". See pysec-herald --help.\n`);
    return EXIT.badInput;
  }
  let parsed;
  try {
    // Each command takes its own options: one it does not take is refused, not ignored.
    parsed = parseArgs({ args: command === first ? argv.slice(1) : [...argv], allowPositionals: true, options: { ...spec.options, help: { type: "boolean", short: "h" } } });
  } catch (err) {
    // One line and a hint, not the whole help: "Unknown option '--frmat'".
    const message = errorMessage(err).split(". ")[0]!.replace(/\.$/, "");
    io.stderr.write(`pysec-herald: ${message}. See pysec-herald ${command} --help.\n`);
    return EXIT.badInput;
  }
  if (parsed.values.help) {
    io.stdout.write(commandUsage(command));
    return EXIT.ok;
  }
  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  const text = (k: string) => (typeof values[k] === "string" ? values[k] : undefined);
  const list = (k: string) => (Array.isArray(values[k]) ? values[k].map(String) : []);
  const flag = (k: string) => values[k] === true;
  const rest = parsed.positionals;
  const clock = io.clock ?? systemClock;
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n`);
    return EXIT.badInput;
  }
  const pretty = config.logFormat === "pretty" || (config.logFormat === "auto" && Boolean(io.stderr.isTTY));
  // NO_COLOR (no-color.org): any value, even empty, means no colour.
  const log = createLogger(config.logLevel, secretValues(io.env), pretty ? "pretty" : "json", io.env["NO_COLOR"] === undefined);
  const answer: Answer = { out: io.stdout, err: io.stderr, staleHours: config.mirrorStaleHours, now: clock.now() };
  try {
    switch (command) {
      case "start": {
        // The chat platforms' libraries load only for commands that need them: audit and lookup start fast.
        const { startBot } = await import("./main.js");
        const bot = await startBot({ config, log, clock, stdout: io.stdout, ...(io.stdin && { stdin: io.stdin }), watch: list("watch") });
        await Promise.race([io.stopSignal ?? new Promise(() => undefined), bot.done]);
        await bot.stop();
        return EXIT.ok;
      }
      case "sync": {
        const tty = Boolean(io.stderr.isTTY);
        const fromPath = text("from");
        const from = fromPath === undefined ? undefined : await localBucket(fromPath);
        if (from) config = { ...config, osvBucketUrl: from.url, sources: ["osv"] };
        // Progress on a terminal, in whole lines (a log line never lands inside one).
        return await withServices(config, log, clock, async (s) => {
          try {
            if (from?.zipOnly && (await s.cursors.get("osv")).cursor !== undefined) {
              throw new UserInputError(`${fromPath}: the mirror is seeded already; to update it offline, give a directory laid out like the bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json)`);
            }
            const outcomes = await Promise.all(s.sources.map((src) => s.poller.pollOnce(src)));
            const count = await s.advisories.count();
            const seeded = from ? outcomes[s.sources.findIndex((src) => src.id === "osv")] : undefined;
            if (from && seeded) {
              // What an offline seed read, merged and skipped: a zip of the wrong shape seeds nothing, and says so.
              if (seeded.read === 0 && count === 0) throw new UserInputError(`${fromPath}: no OSV record in it (${seeded.skipped} entries skipped). It must be OSV's PyPI export: all.zip of <ID>.json records (a zip of PyPA YAML files is not one)`);
              const merged = Math.max(0, seeded.read - count);
              io.stderr.write(`Read ${seeded.read} records from ${fromPath}${merged ? `; ${merged} merged into others by their aliases` : ""}${seeded.skipped ? `; ${seeded.skipped} skipped (named in the log and in status)` : ""}.\n`);
            }
            const failed = outcomes.filter((o) => o === undefined).length;
            io.stdout.write(`Mirror holds ${count} ${count === 1 ? "advisory" : "advisories"}${failed ? `; ${failed} source(s) failed, see the log` : ""}.\n`);
            return failed ? EXIT.failed : EXIT.ok;
          } finally {
            await from?.close();
          }
        }, tty ? (n) => io.stderr.write(`seeding: ${n} records so far\n`) : undefined);
      }
      case "discord": {
        if (rest[0] !== "register") throw new UserInputError("usage: pysec-herald discord register [--guild ID]");
        const guild = text("guild");
        if (guild !== undefined && !/^\d+$/.test(guild)) throw new UserInputError("--guild takes a numeric guild id");
        const { registerDiscordCommands } = await import("./main.js");
        await withServices(config, log, clock, (s) => registerDiscordCommands(config, log, clock, s, guild));
        io.stdout.write(`Registered /pysec ${guild ? `in guild ${guild} (available at once)` : "globally (may take up to an hour to appear)"}.\n`);
        return EXIT.ok;
      }
      case "export":
        return await withChannels(config, async (channels) => {
          const json = await exportChannels(channels, clock.now());
          if (rest[0] && rest[0] !== "-") {
            await writeFile(rest[0], json);
            io.stderr.write(`Wrote ${(JSON.parse(json) as { channels: unknown[] }).channels.length} channels to ${rest[0]}.\n`);
          } else io.stdout.write(json);
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
      case "lookup": {
        const format = flag("json") ? "json" : text("format") ?? "text";
        if (format !== "json" && format !== "text") throw new UserInputError(`unknown --format "${format}" for lookup (text, json)`);
        return await toOutput(text("output"), answer, (out) => withMirror(config, clock, (s) => lookupCommand(rest, format === "json", s, out)));
      }
      case "audit": {
        const format = flag("json") ? "json" : text("format") ?? "columns";
        return await toOutput(text("output"), answer, (out) => withMirror(config, clock, (s) => auditCommand({ files: [...list("requirement"), ...rest], format, strict: flag("strict"), ignoreFiles: list("ignore-file"), ignore: list("ignore-vuln"), signals: flag("strict-signals") ? "strict" : flag("signals") ? "show" : "off", ...(io.stdin && { stdin: io.stdin }) }, s, out)));
      }
    }
    return EXIT.badInput;
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


