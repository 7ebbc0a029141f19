import type { Clock } from "../clock.js";
import { splitLines, wrapLines } from "../render/text.js";
import type { Reply } from "../render/notification.js";
import type { CommandHandler } from "./execute.js";
import { parseCommand } from "./parse.js";

/** How long the rest of a long answer waits for "more"; and how many people's at once (oldest go first). */
const KEEP_MS = 30 * 60_000;
const MAX_KEPT = 1_000;
const FOOTER_CHARS = 80;

export interface PagerOptions {
  /** The longest reply text the platform takes in one message (ChatAdapter.capabilities.maxLength). */
  readonly pageChars: number;
  readonly clock: Clock;
  /** The platform's command prefix in the hint: "/pysec " on Slack and Discord, "/" on Telegram. */
  readonly prefix?: string;
}

/**
 * Answers that do not fit one message come a page at a time: the first page, with a line saying how
 * to get the next ("more"; adapters with buttons show one when `Reply.more` is set), and the rest
 * kept for that person in that channel. One owner for those pages: this wrapper.
 */
export function withPages(handle: CommandHandler, opts: PagerOptions): CommandHandler {
  const kept = new Map<string, { pages: string[]; total: number; at: number }>();
  const size = opts.pageChars - FOOTER_CHARS;

  function page(key: string, entry: { pages: string[]; total: number; at: number }, ephemeral: boolean): Reply {
    const text = entry.pages.shift()!;
    const n = entry.total - entry.pages.length;
    if (entry.pages.length === 0) {
      kept.delete(key);
      return { type: "reply", text: entry.total > 1 ? `${text}\n(page ${n} of ${entry.total})` : text, ephemeral };
    }
    kept.delete(key); // re-inserted last: the Map's order is the eviction order
    kept.set(key, { ...entry, at: opts.clock.now().getTime() });
    return { type: "reply", text: `${text}\n(page ${n} of ${entry.total}: ${opts.prefix ?? ""}more for the next)`, ephemeral, more: true };
  }

  return async (cmd) => {
    const key = `${cmd.channel}|${cmd.user}`;
    let isMore = false;
    try {
      isMore = parseCommand(cmd.text).name === "more";
    } catch {
      // Not a command the parser takes: the handler answers it.
    }
    if (isMore) {
      const entry = kept.get(key);
      if (!entry || opts.clock.now().getTime() - entry.at > KEEP_MS) {
        kept.delete(key);
        return { type: "reply", text: "Nothing more to show: ask again for a new answer.", ephemeral: true };
      }
      return page(key, entry, true);
    }
    const answer = await handle(cmd);
    if (answer.text.length <= opts.pageChars) {
      kept.delete(key);
      return answer;
    }
    const pages = splitLines(wrapLines(answer.text, size), size);
    while (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    return page(key, { pages, total: pages.length, at: opts.clock.now().getTime() }, answer.ephemeral);
  };
}
