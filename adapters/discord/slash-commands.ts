// The one `/pysec` application command, its subcommands, and the mapping from an interaction's
// options back to the command core's text grammar.

const STRING = 3;
const BOOLEAN = 5;
const ATTACHMENT = 11;
const SUB_COMMAND = 1;
const MANAGE_CHANNELS = 1n << 4n;
const ADMINISTRATOR = 1n << 3n;

const choices = (...names: string[]) => names.map((n) => ({ name: n, value: n }));
const publicOption = { type: BOOLEAN, name: "public", description: "Show the answer to everyone in the channel", required: false };

const SUBCOMMANDS = [
  { name: "watch", description: "Watch packages, e.g. requests django>=4.2,<5, or a dependency file", options: [
    { type: STRING, name: "packages", description: "Packages with optional PEP 440 specifiers, separated by spaces", required: false, autocomplete: true, max_length: 2000 },
    { type: ATTACHMENT, name: "file", description: "requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pylock.toml or pyproject.toml", required: false },
    { type: STRING, name: "label", description: "Label for the file's packages (default: its name), e.g. api/uv.lock", required: false },
  ] },
  { name: "unwatch", description: "Stop watching packages", options: [{ type: STRING, name: "packages", description: "Package names, separated by spaces", required: true, autocomplete: true }] },
  { name: "list", description: "Show this channel's watches and settings" },
  { name: "lookup", description: "Known advisories for a package", options: [
    { type: STRING, name: "package", description: "Package name", required: true, autocomplete: true },
    { type: STRING, name: "version", description: "A version to check", required: false },
    publicOption,
  ] },
  { name: "mode", description: "Alerts as they come, or a daily digest", options: [{ type: STRING, name: "mode", description: "live or digest", required: true, choices: choices("live", "digest") }] },
  { name: "digest-time", description: "When the digest is sent", options: [
    { type: STRING, name: "time", description: "HH:MM", required: true },
    { type: STRING, name: "timezone", description: "IANA timezone, e.g. Europe/Berlin", required: false },
    { type: STRING, name: "day", description: "For a weekly digest", required: false, choices: choices("mon", "tue", "wed", "thu", "fri", "sat", "sun") },
  ] },
  { name: "quiet", description: "Hold live alerts during these hours", options: [{ type: STRING, name: "window", description: "HH:MM-HH:MM, or off", required: true }] },
  { name: "urgent", description: "Whether malicious and critical advisories skip the digest", options: [{ type: STRING, name: "urgent", description: "live or digest", required: true, choices: choices("live", "digest") }] },
  { name: "severity", description: "Only alert at or above this severity", options: [{ type: STRING, name: "level", description: "Severity floor", required: true, choices: choices("any", "low", "medium", "high", "critical") }] },
  { name: "mute", description: "Stop alerts about one advisory", options: [{ type: STRING, name: "advisory", description: "Advisory id, e.g. PYSEC-2023-74", required: true }] },
  { name: "status", description: "Health of the advisory sources and of delivery" },
  { name: "more", description: "The next page of a long answer" },
  { name: "report", description: "A link to this channel's exposure report (a web page)" },
  { name: "signals", description: "PyPI's own warnings: all, only possible compromises, or none", options: [{ type: STRING, name: "level", description: "all, security or off", required: true, choices: choices("all", "security", "off") }] },
  { name: "help", description: "What pysec-herald can do", options: [publicOption] },
] as const;

/** The body for PUT /applications/{id}/commands: Manage Channels by default, re-checked on every interaction. */
export function commandDefinitions(): unknown[] {
  return [{
    name: "pysec",
    description: "Security advisories for the Python packages this channel uses",
    type: 1,
    default_member_permissions: String(MANAGE_CHANNELS),
    contexts: [0, 1],
    options: SUBCOMMANDS.map((s) => ({ type: SUB_COMMAND, ...s })),
  }];
}

export interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly value?: string | number | boolean;
  readonly focused?: boolean;
  readonly options?: readonly CommandOption[];
}

/** `/pysec watch packages:"a b"` → `{ text: "watch a b", public: false }`, or undefined for an unknown shape. */
export function commandText(options: readonly CommandOption[] | undefined): { text: string; public: boolean; focused?: CommandOption } | undefined {
  const sub = options?.[0];
  if (!sub || sub.type !== SUB_COMMAND) return undefined;
  const args = sub.options ?? [];
  const value = (name: string) => {
    const v = args.find((o) => o.name === name)?.value;
    return v === undefined ? "" : String(v);
  };
  const positional: Record<string, string[]> = {
    watch: ["packages"], unwatch: ["packages"], lookup: ["package", "version"], mode: ["mode"],
    "digest-time": ["day", "time", "timezone"], quiet: ["window"], urgent: ["urgent"], severity: ["level"], signals: ["level"], mute: ["advisory"],
  };
  const words = (positional[sub.name] ?? []).map(value).filter(Boolean);
  const focused = args.find((o) => o.focused);
  return { text: [sub.name, ...words].join(" "), public: value("public") === "true", ...(focused && { focused }) };
}

/** Manage Channels (or Administrator) in this channel, from the member's resolved permissions. */
export function canManage(permissions: string | undefined): boolean {
  if (!permissions) return false;
  try {
    const bits = BigInt(permissions);
    return (bits & (MANAGE_CHANNELS | ADMINISTRATOR)) !== 0n;
  } catch {
    return false;
  }
}

/** Subcommands whose answers are private unless `public:true`. */
export const EPHEMERAL_BY_DEFAULT = new Set(["lookup", "help", "report"]);
