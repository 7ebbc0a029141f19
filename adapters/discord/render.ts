import { createHash } from "node:crypto";
import { signalsLine, type Notification, type Reply } from "../../src/render/notification.js";
import { safeUrl, splitLines, trimAtWord } from "../../src/render/text.js";
import { severityLabel } from "../../src/message.js";
import { escapeDiscord } from "./escape.js";

/** Discord's documented limits (message resource). */
export const LIMITS = { content: 2000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;

const COLOURS: Record<string, number> = { critical: 0x8b0000, high: 0xe03e2f, medium: 0xf0a020, low: 0x3b82f6, none: 0x808080, unknown: 0x808080 };
const MALICIOUS = 0x5b2c83;
const NO_MENTIONS = { parse: [] as string[] };

export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface Embed {
  title: string;
  url: string;
  description?: string;
  color: number;
  fields: EmbedField[];
  footer: { text: string };
  timestamp?: string;
}

export interface MessageBody {
  content?: string;
  embeds?: Embed[];
  allowed_mentions: { parse: string[] };
  flags?: number;
  nonce?: string;
  enforce_nonce?: boolean;
  components?: unknown[];
}

/** The custom_id of the "Next page" button of a paged reply. */
export const MORE_BUTTON = "pysec:more";

function field(name: string, value: string, inline = false): EmbedField {
  return { name, value: trimAtWord(value || "—", LIMITS.fieldValue), inline };
}

function embedSize(e: Embed): number {
  return e.title.length + (e.description?.length ?? 0) + e.footer.text.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

/** An advisory as one embed within every Discord limit; all advisory text escaped. */
export function renderEmbed(n: Notification): Embed {
  const prefix = n.event === "withdrawn" ? "[WITHDRAWN] " : n.event === "updated" ? "[UPDATED] " : n.malicious ? "[MALICIOUS] " : "";
  const e = (s: string) => escapeDiscord(s);
  const fields: EmbedField[] = [field("Severity", e(severityLabel(n.severity)), true), field("Package", e(n.watch), true)];
  if (n.event === "withdrawn") {
    fields.push(field("Status", "Withdrawn by its publisher: no action needed."));
  } else {
    if (n.note) fields.push(field("What to do", e(n.note)));
    else fields.push(field("Affected versions you watch", e(n.affectedVersions.join("; "))));
    if (n.note) {
      // PyPI's signals say what to do themselves.
    } else if (n.malicious) fields.push(field("Action", "Malicious package: remove it and rotate any secrets on machines that installed it."));
    else fields.push(field("Fixed in", n.fixedVersions.length ? e(n.fixedVersions.join(", ")) : "No fixed version yet"));
    if (n.upgrade && !n.malicious) fields.push(field("Upgrade", e(n.upgrade)));
    if (n.invalidVersions.length) fields.push(field("Unreadable versions in the advisory", e(n.invalidVersions.slice(0, 10).join(", "))));
  }
  if (n.aliases.length) fields.push(field("Aliases", e(n.aliases.join(", "))));
  const signals = signalsLine(n);
  if (signals) fields.push(field("Signals", e(signals)));
  const links = n.references.map(safeUrl).filter((u): u is string => Boolean(u)).map((u) => `<${u}>`);
  if (links.length) fields.push(field("Links", links.join("\n")));
  fields.push(field("Published / modified", e(`${n.published ?? "?"} / ${n.modified}`)));
  const embed: Embed = {
    title: trimAtWord(`${prefix}${e(n.advisoryId)}: ${e(n.title)}`, LIMITS.title),
    url: n.url,
    color: n.malicious ? MALICIOUS : (COLOURS[n.severity.rating] ?? 0x808080),
    fields: fields.slice(0, LIMITS.fields),
    footer: { text: "pysec-herald · OSV" },
  };
  const more = `\n[Full text](${n.url})`;
  const room = Math.min(LIMITS.description, LIMITS.total - embedSize(embed)) - more.length;
  if (n.details && room > 20) {
    const details = e(n.details);
    embed.description = details.length <= room ? details : `${trimAtWord(details, room)}${more}`;
  }
  return embed;
}

/** A nonce Discord uses to drop a duplicate create (with enforce_nonce) after a crash mid-send: per alert revision, or per text. */
export function nonceFor(channel: string, what: Notification | string): string {
  const id = typeof what === "string" ? what : `${what.advisoryId}|${what.revision}`;
  return createHash("sha256").update(`${channel}|${id}`).digest("hex").slice(0, 25);
}

export function notificationBody(channel: string, n: Notification): MessageBody {
  return { embeds: [renderEmbed(n)], allowed_mentions: NO_MENTIONS, nonce: nonceFor(channel, n), enforce_nonce: true };
}

/** Reply text in one message of at most 2000 characters; the rest is trimmed with a note. */
export function replyBody(r: Reply, ephemeral: boolean): MessageBody {
  const [first = "", ...rest] = splitLines(escapeDiscord(r.text), LIMITS.content - 60);
  return {
    content: rest.length ? `${first}\n… (trimmed: the full answer is longer than Discord allows)` : first,
    allowed_mentions: NO_MENTIONS,
    ...(ephemeral && { flags: 64 }),
    // Button style 2: secondary; action row type 1, button type 2.
    ...(r.more && { components: [{ type: 1, components: [{ type: 2, style: 2, label: "Next page", custom_id: MORE_BUTTON }] }] }),
  };
}
