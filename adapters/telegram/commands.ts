import { COMMAND_TABLE, telegramName } from "../../src/commands/table.js";

/** Every command in the table gets a handler under its Telegram name (/all_clear, /digest). */
export const TELEGRAM_COMMANDS = COMMAND_TABLE.map((spec) => ({ command: telegramName(spec), core: spec.name }));

/** The command menu (setMyCommands): the usual commands; every other one works all the same. */
export const MENU = COMMAND_TABLE.filter((spec) => spec.menu).map((spec) => ({ command: telegramName(spec), description: spec.summary }));

/** `/digest 08:30` → `digest-time 08:30`. */
export function coreText(core: string, args: string): string {
  return `${core} ${args}`.trim();
}

export const WELCOME = [
  "Hello! I tell this chat about security advisories for the Python packages you use.",
  "Send /watch with package names (e.g. /watch requests django>=4.2,<5); I answer with what already affects them and alert you when something new is published.",
  "/lookup checks a package and version at any time; /help lists everything else.",
].join("\n");
