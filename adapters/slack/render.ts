import { signalsLine, type Notification, type Reply } from "../../src/render/notification.js";
import { safeUrl, splitLines, trimAtWord } from "../../src/render/text.js";
import { severityLabel } from "../../src/message.js";
import { escapeMrkdwn } from "./escape.js";

/** Block Kit limits: 50 blocks, 3000 per section text, 2000 per field, 150 per header, 75 per button label. */
export const LIMITS = { blocks: 50, section: 3000, field: 2000, header: 150, button: 75, fallback: 3000 } as const;

// Structural Block Kit block; Slack's own types are unions too strict to build incrementally.
export interface Block {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

const mrkdwn = (text: string) => ({ type: "mrkdwn", text });

/** Escapes after trimming, so an entity is never cut in half; returns escaped text within `max`. */
function fit(raw: string, max: number): string {
  let room = max;
  for (;;) {
    const escaped = escapeMrkdwn(trimAtWord(raw, room));
    if (escaped.length <= max || room < 20) return escaped.slice(0, max);
    room = Math.floor(room * 0.8);
  }
}

/** One advisory as Block Kit: header, severity context, fields, details, link buttons; plus a plain fallback. */
export function renderNotification(n: Notification): SlackMessage {
  const label = n.event === "withdrawn" ? "Withdrawn" : n.event === "updated" ? "Updated" : n.malicious ? "Malicious package" : "New advisory";
  const header = trimAtWord(`${label}: ${n.advisoryId} — ${n.title}`, LIMITS.header);
  const blocks: Block[] = [
    { type: "header", text: { type: "plain_text", text: header, emoji: false } },
    { type: "context", elements: [mrkdwn(fit([`Severity: ${severityLabel(n.severity)}`, `package ${n.package}`, signalsLine(n), `published ${n.published ?? "?"}`, `modified ${n.modified}`].filter(Boolean).join(" · "), LIMITS.field))] },
  ];
  if (n.event === "withdrawn") {
    blocks.push({ type: "section", text: mrkdwn(`~${fit(n.title, LIMITS.section - 80)}~\nWithdrawn by its publisher: no action needed.`) });
  } else {
    const fields = [
      mrkdwn(`*You watch*\n${fit(n.watch, LIMITS.field - 20)}`),
      ...(n.note
        // PyPI's signals say what to do themselves.
        ? [mrkdwn(`*What to do*\n${fit(n.note, LIMITS.field - 20)}`)]
        : [
          mrkdwn(`*Affected*\n${fit(n.affectedVersions.join("; "), LIMITS.field - 20)}`),
          n.malicious
            ? mrkdwn("*Action*\nRemove this package and rotate any secrets on machines that installed it.")
            : mrkdwn(`*Fixed in*\n${fit(n.fixedVersions.join(", ") || "no fixed version yet", LIMITS.field - 20)}`),
        ]),
    ];
    if (n.upgrade && !n.malicious) fields.push(mrkdwn(`*Upgrade*\n${fit(n.upgrade, LIMITS.field - 20)}`));
    if (n.aliases.length) fields.push(mrkdwn(`*Aliases*\n${fit(n.aliases.join(", "), LIMITS.field - 20)}`));
    blocks.push({ type: "section", fields });
    if (n.details) blocks.push({ type: "section", text: mrkdwn(fit(n.details, LIMITS.section)) });
  }
  const links = [n.url, ...n.references].map(safeUrl).filter((u): u is string => Boolean(u)).slice(0, 5);
  blocks.push({
    type: "actions",
    elements: links.map((url, i) => ({ type: "button", text: { type: "plain_text", text: i === 0 ? "OSV" : trimAtWord(new URL(url).hostname, LIMITS.button) }, url, action_id: `link-${i}` })),
  });
  const text = fit(`${label}: ${n.advisoryId} (${severityLabel(n.severity)}) ${n.title} — ${n.watch}`, LIMITS.fallback);
  return { text, blocks: blocks.slice(0, LIMITS.blocks) };
}

/** The action id of the "Next page" button of a paged reply. */
export const MORE_ACTION = "pysec-more";

/** A reply as mrkdwn sections, one per chunk of lines, within the block limits; a "Next page" button when more follows. */
export function renderReply(r: Reply): SlackMessage {
  // Escape first, then split at line and word boundaries: entities contain no spaces, so none is cut.
  const chunks = splitLines(escapeMrkdwn(r.text), LIMITS.section).slice(0, LIMITS.blocks - (r.more ? 1 : 0));
  const more = r.more ? [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Next page" }, action_id: MORE_ACTION, value: "more" }] }] : [];
  return { text: fit(r.text, LIMITS.fallback), blocks: [...chunks.map((c) => ({ type: "section", text: mrkdwn(c) })), ...more] };
}
