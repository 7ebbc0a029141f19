import { signalsLine, type Notification, type Reply } from "../../src/render/notification.js";
import { safeUrl, splitLines, trimAtWord } from "../../src/render/text.js";
import { severityLabel } from "../../src/message.js";
import { escapeHtml } from "./escape.js";

/** sendMessage / editMessageText text limit, counted after entity parsing; we count the HTML, which is longer. */
export const MAX_TEXT = 4096;

export interface TelegramMessage {
  readonly text: string;
  readonly buttons: { text: string; callback_data: string }[][];
}

const b = (s: string) => `<b>${escapeHtml(s)}</b>`;

/** One advisory as Telegram HTML within 4096 characters; every piece of advisory text escaped. */
export function renderNotification(n: Notification): TelegramMessage {
  const head = n.event === "withdrawn" ? "Withdrawn" : n.event === "updated" ? "Updated" : n.malicious ? "Malicious package" : "New advisory";
  const title = `${b(`${head}: ${n.advisoryId}`)} (${escapeHtml(severityLabel(n.severity))})`;
  const lines = [n.event === "withdrawn" ? `<s>${escapeHtml(trimAtWord(n.title, 300))}</s>` : escapeHtml(trimAtWord(n.title, 300))];
  if (n.event === "withdrawn") {
    lines.push("Withdrawn by its publisher: no action needed.");
  } else {
    lines.push(`You watch: <code>${escapeHtml(trimAtWord(n.watch, 200))}</code>`);
    if (n.note) lines.push(escapeHtml(trimAtWord(n.note, 600)));
    else lines.push(`Affected: ${escapeHtml(trimAtWord(n.affectedVersions.join("; "), 400))}`);
    if (!n.note) lines.push(n.malicious ? "<b>Remove this package and rotate any secrets on machines that installed it.</b>" : `Fixed in: ${escapeHtml(trimAtWord(n.fixedVersions.join(", "), 300) || "no fixed version yet")}`);
    if (n.upgrade && !n.malicious) lines.push(escapeHtml(n.upgrade));
    if (n.invalidVersions.length) lines.push(`Unreadable versions in the advisory: ${escapeHtml(n.invalidVersions.slice(0, 5).join(", "))}`);
  }
  if (n.aliases.length) lines.push(`Aliases: ${escapeHtml(trimAtWord(n.aliases.join(", "), 400))}`);
  const signals = signalsLine(n);
  if (signals) lines.push(escapeHtml(signals));
  const url = safeUrl(n.url);
  if (url) lines.push(`<a href="${escapeHtml(url)}">Details</a>`);
  const fixed = [title, ...lines].join("\n");
  const details = n.details && n.event !== "withdrawn" ? fitEscaped(n.details, MAX_TEXT - fixed.length - 2) : "";
  const text = details ? `${fixed}\n\n${details}` : fixed;
  const buttons = n.event === "withdrawn" ? [] : [[
    { text: "Mute this advisory", callback_data: `m:${n.advisoryId}`.slice(0, 64) },
    { text: `Unwatch ${n.package}`.slice(0, 64), callback_data: `u:${n.package}`.slice(0, 64) },
  ]];
  return { text, buttons };
}

/** The longest word-trimmed prefix of `raw` whose escaped form fits `room` (escaping never cut mid-entity). */
function fitEscaped(raw: string, room: number): string {
  let max = Math.min(raw.length, room);
  while (max > 40) {
    const escaped = escapeHtml(trimAtWord(raw, max));
    if (escaped.length <= room) return escaped;
    max = Math.floor(max * 0.8);
  }
  return "";
}

/** A reply as one or more messages, split at line boundaries (never inside an entry). */
export function renderReply(r: Reply): string[] {
  return splitLines(r.text, 3000).map(escapeHtml);
}
