/** The single help text, shared by every adapter. `{p}` is replaced by the platform's command prefix. */
export const COMMANDS = [
  ["watch <package[spec]>...", "Watch packages, e.g. `watch requests django>=4.2,<5 numpy==1.26.4`"],
  ["unwatch <package>...", "Stop watching packages"],
  ["list", "Show this channel's watches and settings"],
  ["lookup <package> [version]", "Known advisories for a package (and whether a version is affected)"],
  ["mode live|digest", "Alerts as they come, or one daily digest"],
  ["digest-time [day] HH:MM [timezone]", "When the digest is sent: `digest-time 08:30 Europe/Berlin`, weekly `digest-time mon 09:00`"],
  ["quiet HH:MM-HH:MM | quiet off", "Hold live alerts during these local hours (malicious-package alerts still come)"],
  ["urgent live|digest", "Whether malicious-package and critical advisories skip the digest (default live)"],
  ["all-clear on|off", "Post a short digest even when nothing is new"],
  ["severity any|low|medium|high|critical", "Only alert at or above this severity"],
  ["watch -r <label> + file text", "Watch what a requirements.txt, uv.lock, poetry.lock, Pipfile.lock, pylock.toml or pyproject.toml lists (paste it on the next lines; on the console: watch -r <path>)"],
  ["unwatch -r <label>", "Stop watching what an imported file listed"],
  ["mute <id|package> [until YYYY-MM-DD] [reason]", "Stop alerts about one advisory (its aliases too) or package, for good or until a date"],
  ["unmute <id|package>", "Undo a mute"],
  ["fixed-only on|off", "Only alert when a fixed version exists (malicious packages always alert)"],
  ["kev-only on|off", "Only alert about advisories known to be exploited (CISA KEV)"],
  ["epss <0..1>", "Only alert when the EPSS probability of exploitation is at least this"],
  ["lookalikes on|off", "Warnings when a malicious package imitates a watched name (default on)"],
  ["signals all|security|off", "PyPI's own warnings: quarantine, yanked pins, lost attestations, publisher and license changes, archived and brand-new projects (security: only possible compromises)"],
  ["status", "Health of the advisory sources and of delivery"],
  ["more", "The next page of a long answer"],
  ["report", "A link to this channel's exposure report (a web page, valid for a day)"],
  ["help", "This text"],
] as const;

/** Help for one command (`help watch`): its lines of the table, or the whole text for an unknown one. */
export function helpFor(topic: string, prefix = ""): string {
  const lines = COMMANDS.filter(([c]) => c.split(/\s/)[0] === topic);
  if (lines.length === 0) return `No command "${topic}".\n\n${helpText(prefix)}`;
  return lines.map(([c, d]) => `${prefix}${c}\n  ${d}`).join("\n");
}

export function helpText(prefix = ""): string {
  const width = Math.max(...COMMANDS.map(([c]) => c.length + prefix.length));
  return [
    "pysec-herald tells this channel about security advisories for the Python packages it watches.",
    "",
    ...COMMANDS.map(([c, d]) => `${(prefix + c).padEnd(width)}  ${d}`),
    "",
    "Changing what a channel watches needs permission to manage the channel; anyone may use lookup.",
  ].join("\n");
}
