import type { ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** One command of the bin: what it takes (parseArgs options: any other is refused) and its help. */
export interface CliCommand {
  readonly synopsis: string;
  /** The lines under the synopsis in `pysec-herald <command> --help` and in the global help. */
  readonly help: readonly string[];
  readonly options: Options;
}

const format = { type: "string", short: "f" } as const;
const output = { type: "string", short: "o" } as const;

export const CLI_COMMANDS: Readonly<Record<string, CliCommand>> = {
  start: {
    synopsis: "start [--watch SPEC]...",
    help: [
      "Run the bot (default): poll advisory sources, deliver alerts. With DISCORD_TOKEN and",
      "DISCORD_APPLICATION_ID set, it serves Discord; with no chat token, alerts print here and",
      "commands are read from stdin (type help). --watch replaces what the console watches.",
    ],
    options: { watch: { type: "string", multiple: true } },
  },
  sync: {
    synopsis: "sync [--from PATH]",
    help: [
      "Seed or refresh the local advisory mirror, then exit. With --from: from an OSV all.zip, or",
      "a directory laid out like the bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json),",
      "without the network; it says what it read, merged and skipped.",
    ],
    options: { from: { type: "string" } },
  },
  lookup: {
    synopsis: "lookup <package> [version] [-f text|json] [-o FILE]",
    help: [
      "Known advisories for a package (name==version works too), from the local mirror.",
      "-f json (or --json) prints them as JSON; -o FILE writes the answer to FILE.",
    ],
    options: { json: { type: "boolean" }, format, output },
  },
  audit: {
    synopsis: "audit [-r] FILE... [-f columns|json|markdown|text|sarif|cyclonedx-json] [-o FILE] [--strict] [--ignore-vuln ID]... [--ignore-file FILE]... [--signals] [--strict-signals]",
    help: [
      "Check pinned requirements against the local mirror, as pip-audit does: -r may be given",
      "several times, -r - reads standard input, -r lines inside are followed. Lines that cannot",
      "be audited (-e, URLs, ranges, -c constraints files) are named on stderr and the rest is",
      "audited; --strict refuses the file instead. Lock files (uv.lock, poetry.lock, Pipfile.lock,",
      "pylock.toml) and pyproject.toml are read as watch -r reads them. A table by default (-f json:",
      "pip-audit's JSON, --json for short; -f sarif: SARIF 2.1.0 for code scanning; -f",
      "cyclonedx-json: a CycloneDX 1.5 SBOM with its vulnerabilities); -o FILE writes the report",
      "to FILE. --ignore-file FILE (and pyproject.toml's [tool.pysec-herald] table, here or audited)",
      "accepts advisories: [[ignore]] id, reason, until = \"YYYY-MM-DD\" or \"fixed\"; one that expired",
      "or whose fix is out is reported and audited again. --signals adds what PyPI says",
      "of each pin (released, latest, yanked, project status, provenance; JSON: \"signals\"), from",
      "what the bot's pypi source stored. Exit 0 clean, 1 vulnerable (or, with --strict-signals, a",
      "pin yanked, a project not active or under 90 days old), 2 bad input (every bad line named).",
    ],
    options: {
      requirement: { type: "string", short: "r", multiple: true }, format, json: { type: "boolean" }, output, "ignore-file": { type: "string", multiple: true },
      "ignore-vuln": { type: "string", multiple: true }, strict: { type: "boolean" }, signals: { type: "boolean" }, "strict-signals": { type: "boolean" },
    },
  },
  export: {
    synopsis: "export [FILE]",
    help: ["Write every channel, its watches and settings as JSON (to FILE, or stdout): a backup,", "or a move to another STORE_URL."],
    options: {},
  },
  import: {
    synopsis: "import FILE",
    help: ["Restore channels from an export (replacing those with the same key); the whole file is", "checked before anything is written."],
    options: {},
  },
  discord: {
    synopsis: "discord register [--guild ID]",
    help: ["Register the /pysec command globally, or in one guild (appears at once; for testing)."],
    options: { guild: { type: "string" } },
  },
};

/** `pysec-herald audit --help`: the one command's synopsis, help and exit. */
export function commandUsage(name: string): string {
  const c = CLI_COMMANDS[name]!;
  return `Usage: pysec-herald ${c.synopsis}\n\n${c.help.join("\n")}\n\nThe environment variables: pysec-herald --help.\n`;
}

/** The commands' part of the global help: each synopsis, its help indented below. */
export function commandsHelp(): string {
  return Object.values(CLI_COMMANDS).map((c) => `  ${c.synopsis}\n${c.help.map((l) => `      ${l}`).join("\n")}`).join("\n");
}
