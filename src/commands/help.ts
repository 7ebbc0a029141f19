import { COMMAND_TABLE, commandNamed, telegramName, type CommandSpec } from "./table.js";

/** How a platform writes commands: its prefix and names, and whether a fixed-width font lines them up. */
export interface HelpStyle {
  readonly prefix: string;
  readonly name: (spec: CommandSpec) => string;
  /** Columns padded with spaces: only where text is shown in a fixed-width font (a terminal). */
  readonly columns: boolean;
}

const own = (spec: CommandSpec) => spec.name;
export const CONSOLE_HELP: HelpStyle = { prefix: "", name: own, columns: true };

/** The help style for a channel ("telegram:42" → /all_clear, "discord:…" → /pysec all-clear). */
export function helpStyleFor(channel: string): HelpStyle {
  const platform = channel.slice(0, channel.indexOf(":"));
  if (platform === "telegram") return { prefix: "/", name: telegramName, columns: false };
  if (platform === "discord" || platform === "slack") return { prefix: "/pysec ", name: own, columns: false };
  return CONSOLE_HELP;
}

function lines(spec: CommandSpec, style: HelpStyle): (readonly [string, string])[] {
  return spec.help.map(([usage, text]) => [`${style.prefix}${style.name(spec)}${usage ? ` ${usage}` : ""}`, text] as const);
}

function format(rows: readonly (readonly [string, string])[], style: HelpStyle): string[] {
  if (!style.columns) return rows.map(([c, d]) => `${c}\n  ${d}`);
  const width = Math.max(...rows.map(([c]) => c.length));
  return rows.map(([c, d]) => `${c.padEnd(width)}  ${d}`);
}

/** Help for one command (`help watch`): its lines, or the whole text for an unknown one. */
export function helpFor(topic: string, style: HelpStyle = CONSOLE_HELP): string {
  const spec = commandNamed(topic.replace(/^\//, ""));
  if (!spec) return `No command "${topic}".\n\n${helpText(style)}`;
  return lines(spec, style).map(([c, d]) => `${c}\n  ${d}`).join("\n");
}

export function helpText(style: HelpStyle = CONSOLE_HELP): string {
  return [
    "pysec-herald tells this channel about security advisories for the Python packages it watches.",
    "",
    ...format([...COMMAND_TABLE.flatMap((spec) => lines(spec, style)), ...(style === CONSOLE_HELP ? [["exit | quit", "Stop the bot (on the console; Ctrl-D too)"] as const] : [])], style),
    "",
    "Changing what a channel watches needs permission to manage the channel; anyone may use lookup.",
  ].join("\n");
}
