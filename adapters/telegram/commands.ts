/** The command menu (setMyCommands) and how each Telegram command maps onto the command core. */
export const MENU = [
  { command: "watch", description: "Watch packages: /watch requests django>=4.2,<5" },
  { command: "unwatch", description: "Stop watching packages" },
  { command: "list", description: "This chat's watches and settings" },
  { command: "lookup", description: "Known advisories: /lookup requests 2.28.1" },
  { command: "mode", description: "live or digest" },
  { command: "digest", description: "Digest time: /digest 08:30 Europe/Berlin" },
  { command: "quiet", description: "Hold live alerts: /quiet 22:00-07:00 or /quiet off" },
  { command: "urgent", description: "live or digest for malicious and critical advisories" },
  { command: "severity", description: "any, low, medium, high or critical" },
  { command: "mute", description: "Mute one advisory: /mute PYSEC-2023-74" },
  { command: "status", description: "Health of sources and delivery" },
  { command: "more", description: "The next page of a long answer" },
  { command: "report", description: "A link to this chat's exposure report" },
  { command: "signals", description: "PyPI warnings: all, security or off" },
  { command: "help", description: "What this bot can do" },
] as const;

const CORE_NAME: Record<string, string> = { digest: "digest-time" };

/** `/digest 08:30` → `digest-time 08:30`. */
export function coreText(command: string, args: string): string {
  return `${CORE_NAME[command] ?? command} ${args}`.trim();
}

export const WELCOME = [
  "Hello! I tell this chat about security advisories for the Python packages you use.",
  "Send /watch with package names (e.g. /watch requests django>=4.2,<5); I answer with what already affects them and alert you when something new is published.",
  "/lookup checks a package and version at any time; /help lists everything else.",
].join("\n");
