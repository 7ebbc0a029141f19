import { signalsLine, type Notification, type Reply } from "../../src/render/notification.js";
import { severityLabel } from "../../src/message.js";
import { neutralize } from "../../src/render/text.js";

// Advisory text is public input: control characters (terminal escape sequences) must not reach the terminal.
export const escapeConsole = neutralize;

const HEADINGS: Record<Notification["event"], string> = {
  new: "NEW ADVISORY",
  updated: "ADVISORY UPDATED",
  withdrawn: "ADVISORY WITHDRAWN",
};

export function renderNotification(n: Notification): string {
  const heading = n.malicious && n.event !== "withdrawn" ? "MALICIOUS PACKAGE" : HEADINGS[n.event];
  const lines = [`=== ${heading}: ${n.advisoryId} (${severityLabel(n.severity)}) ===`, n.title];
  const signals = signalsLine(n);
  if (signals) lines.push(signals);
  if (n.event === "withdrawn") {
    lines.push(`This advisory was withdrawn by its publisher; no action is needed for ${n.package}.`);
  } else {
    lines.push(`You watch: ${n.watch}`);
    if (n.note) lines.push(n.note);
    else lines.push(`Affected: ${n.affectedVersions.join("; ")}`);
    if (n.note) {
      // PyPI's signals say what to do themselves.
    } else if (n.malicious) lines.push("Action: remove this package and rotate any secrets on machines that installed it.");
    else lines.push(n.upgrade ?? (n.fixedVersions.length ? `Fixed in: ${n.fixedVersions.join(", ")}` : "Fixed in: no fixed version yet"));
    if (n.invalidVersions.length) lines.push(`Unreadable versions in the advisory: ${n.invalidVersions.slice(0, 5).join(", ")}`);
  }
  if (n.aliases.length) lines.push(`Aliases: ${n.aliases.join(", ")}`);
  lines.push(`Details: ${n.url}`);
  return escapeConsole(lines.join("\n"));
}

export function render(msg: Notification | Reply): string {
  return msg.type === "notification" ? renderNotification(msg) : escapeConsole(msg.text);
}
