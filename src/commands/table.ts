// Every chat command, declared once: its name, what it takes, whether it changes the channel, and
// its help. `help`, the parser's list of names, Discord's `/pysec` subcommands and Telegram's
// handlers and menu are all read from here, so a command help lists is reachable on every platform.

/** One value a command takes, in the order the command line reads them (Discord shows each as an option). */
export interface CommandOption {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly choices?: readonly string[];
  /** Discord suggests package names as they are typed. */
  readonly autocomplete?: boolean;
  /** An uploaded dependency file (Discord's attachment option) rather than text. */
  readonly file?: boolean;
  /** The word the command line writes before the value ("until 2027-01-31"). */
  readonly keyword?: string;
}

export interface CommandSpec {
  readonly name: string;
  /** Telegram's name where the command's own has characters Telegram refuses ("-"). */
  readonly telegram?: string;
  /** Changes the channel's subscription: needs permission to manage the channel. */
  readonly manage: boolean;
  /** Under 100 characters, for Discord's and Telegram's command lists. */
  readonly summary: string;
  /** In Telegram's command menu (every command is reachable; the menu shows the usual ones). */
  readonly menu?: boolean;
  readonly options: readonly CommandOption[];
  /** The help lines: how it is written after the name, and what it does (a command may have several forms). */
  readonly help: readonly (readonly [usage: string, text: string])[];
}

const onOff = (what: string): CommandOption => ({ name: "state", description: what, required: true, choices: ["on", "off"] });

export const COMMAND_TABLE: readonly CommandSpec[] = [
  {
    name: "watch", manage: true, menu: true, summary: "Watch packages: watch requests django>=4.2,<5, or a dependency file",
    options: [
      { name: "packages", description: "Packages with optional PEP 440 specifiers, separated by spaces", autocomplete: true },
      { name: "file", description: "requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pylock.toml or pyproject.toml", file: true },
      { name: "label", description: "Label for the file's packages (default: its name), e.g. api/uv.lock" },
    ],
    help: [
      ["<package[spec]>...", "Watch packages, e.g. watch requests django>=4.2,<5 numpy==1.26.4"],
      ["-r <label> + file text", "Watch what a requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pylock.toml or pyproject.toml lists (paste it on the next lines; on the console: watch -r <path>)"],
    ],
  },
  {
    name: "unwatch", manage: true, menu: true, summary: "Stop watching packages",
    options: [{ name: "packages", description: "Package names, separated by spaces (or -r <label>)", required: true, autocomplete: true }],
    help: [["<package>...", "Stop watching packages"], ["-r <label>", "Stop watching what an imported file listed"]],
  },
  { name: "list", manage: false, menu: true, summary: "This channel's watches and settings", options: [], help: [["", "Show this channel's watches and settings"]] },
  {
    name: "lookup", manage: false, menu: true, summary: "Known advisories: lookup requests 2.28.1",
    options: [
      { name: "package", description: "Package name, or name==version", required: true, autocomplete: true },
      { name: "version", description: "A version to check" },
    ],
    help: [["<package> [version]", "Known advisories for a package (and whether a version is affected); lookup django==3.2 works too"]],
  },
  { name: "mode", manage: true, menu: true, summary: "Alerts as they come, or a daily digest", options: [{ name: "mode", description: "live or digest", required: true, choices: ["live", "digest"] }], help: [["live|digest", "Alerts as they come, or one daily digest"]] },
  {
    name: "digest-time", telegram: "digest", manage: true, menu: true, summary: "When the digest is sent: digest-time 08:30 Europe/Berlin",
    options: [
      { name: "day", description: "For a weekly digest", choices: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] },
      { name: "time", description: "HH:MM", required: true },
      { name: "timezone", description: "IANA timezone, e.g. Europe/Berlin" },
    ],
    help: [["[day] HH:MM [timezone]", "When the digest is sent: digest-time 08:30 Europe/Berlin, weekly digest-time mon 09:00"]],
  },
  { name: "quiet", manage: true, menu: true, summary: "Hold live alerts: quiet 22:00-07:00, or quiet off", options: [{ name: "window", description: "HH:MM-HH:MM, or off", required: true }], help: [["HH:MM-HH:MM | off", "Hold live alerts during these local hours (malicious-package alerts still come)"]] },
  { name: "urgent", manage: true, menu: true, summary: "Whether malicious and critical advisories skip the digest", options: [{ name: "urgent", description: "live or digest", required: true, choices: ["live", "digest"] }], help: [["live|digest", "Whether malicious-package and critical advisories skip the digest (default live)"]] },
  { name: "all-clear", manage: true, summary: "Post a short digest even when nothing is new", options: [onOff("on or off")], help: [["on|off", "Post a short digest even when nothing is new"]] },
  { name: "severity", manage: true, menu: true, summary: "Only alert at or above this severity", options: [{ name: "level", description: "Severity floor", required: true, choices: ["any", "low", "medium", "high", "critical"] }], help: [["any|low|medium|high|critical", "Only alert at or above this severity"]] },
  {
    name: "mute", manage: true, menu: true, summary: "Mute an advisory or a package: mute PYSEC-2023-74 until 2027-01-31",
    options: [
      { name: "target", description: "Advisory id (e.g. PYSEC-2023-74) or package name", required: true },
      { name: "until", description: "YYYY-MM-DD: the mute lapses after this day (UTC); or fixed: once a fix is out", keyword: "until" },
      { name: "reason", description: "Why, for whoever reads list later" },
    ],
    help: [["<id|package> [until YYYY-MM-DD | until-fixed] [reason]", "Stop alerts about one advisory (its aliases too) or package, for good, until a date, or until a fixed version is out"]],
  },
  { name: "unmute", manage: true, summary: "Undo a mute", options: [{ name: "target", description: "Advisory id or package name", required: true }], help: [["<id|package>", "Undo a mute"]] },
  { name: "fixed-only", manage: true, summary: "Only alert when a fixed version exists", options: [onOff("on or off")], help: [["on|off", "Only alert when a fixed version exists (malicious packages always alert)"]] },
  { name: "kev-only", manage: true, summary: "Only alert about advisories known to be exploited (CISA KEV)", options: [onOff("on or off")], help: [["on|off", "Only alert about advisories known to be exploited (CISA KEV)"]] },
  { name: "epss", manage: true, summary: "Only alert from this EPSS probability of exploitation up", options: [{ name: "floor", description: "A probability from 0 to 1, e.g. 0.1", required: true }], help: [["<0..1>", "Only alert when the EPSS probability of exploitation is at least this"]] },
  { name: "lookalikes", manage: true, summary: "Warnings when a malicious package imitates a watched name", options: [onOff("on or off")], help: [["on|off", "Warnings when a malicious package imitates a watched name (default on)"]] },
  { name: "signals", manage: true, menu: true, summary: "PyPI warnings: all, security or off", options: [{ name: "level", description: "all, security or off", required: true, choices: ["all", "security", "off"] }], help: [["all|security|off", "PyPI's own warnings: quarantine, yanked pins, lost attestations, publisher and license changes, archived and brand-new projects (security: only possible compromises)"]] },
  { name: "status", manage: false, menu: true, summary: "Health of the advisory sources and of delivery", options: [], help: [["", "Health of the advisory sources and of delivery"]] },
  { name: "more", manage: false, menu: true, summary: "The next page of a long answer", options: [], help: [["", "The next page of a long answer"]] },
  { name: "report", manage: false, menu: true, summary: "A link to this channel's exposure report", options: [], help: [["", "A link to this channel's exposure report (a web page, valid for a day)"]] },
  { name: "help", manage: false, menu: true, summary: "What this bot can do", options: [{ name: "command", description: "One command's help" }], help: [["[command]", "This text, or one command's"]] },
];

/** A command's name on Telegram, which allows only letters, digits and "_". */
export function telegramName(spec: CommandSpec): string {
  return spec.telegram ?? spec.name.replace(/-/g, "_");
}

/** The command a name given on any platform stands for (`digest`, `all_clear` on Telegram). */
export function commandNamed(name: string): CommandSpec | undefined {
  const n = name.toLowerCase();
  return COMMAND_TABLE.find((c) => c.name === n || telegramName(c) === n);
}
