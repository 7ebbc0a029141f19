import type { ChangeKind, StoredAdvisory } from "../advisory/diff.js";
import { isMaliciousId, osvUrl } from "../advisory/ids.js";
import { severityOf, type Severity } from "../advisory/severity.js";
import type { Effect } from "../matching/affects.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { upgradeAdvice, upgradeFor } from "../matching/upgrade.js";

/** A platform-neutral alert: everything an adapter needs to render one advisory for one channel. */
export interface Notification {
  readonly type: "notification";
  readonly event: Exclude<ChangeKind, "unchanged">;
  readonly advisoryId: string;
  readonly revision: number;
  readonly title: string;
  readonly details: string;
  readonly severity: Severity;
  readonly malicious: boolean;
  readonly watch: string;
  readonly package: string;
  readonly affectedVersions: string[];
  readonly fixedVersions: string[];
  /** For a pinned watch: "You pin django==4.2.1; fixed in 4.2.15; upgrade: django>=4.2.15,<5". */
  readonly upgrade?: string;
  readonly invalidVersions: string[];
  readonly aliases: string[];
  readonly url: string;
  readonly references: string[];
  readonly published?: string;
  readonly modified: string;
}

/** A platform-neutral answer to a command. Plain text; adapters escape it for their platform. */
export interface Reply {
  readonly type: "reply";
  readonly text: string;
  /** Shown only to the person who asked, where the platform can do that. */
  readonly ephemeral: boolean;
}

export function reply(text: string, ephemeral = false): Reply {
  return { type: "reply", text, ephemeral };
}

const MAX_DETAILS = 1500;

export function buildNotification(event: Notification["event"], stored: StoredAdvisory, watch: Watch, effect: Effect): Notification {
  const a = stored.advisory;
  const details = (a.details ?? "").trim();
  const upgrade = event === "withdrawn" ? undefined : upgradeFor(watch, effect.fixed);
  return {
    type: "notification",
    event,
    advisoryId: a.id,
    revision: stored.revision,
    title: (a.summary ?? details.split("\n")[0] ?? a.id).trim().slice(0, 200) || a.id,
    details: details.length > MAX_DETAILS ? `${details.slice(0, MAX_DETAILS)}…` : details,
    severity: severityOf(a),
    malicious: isMaliciousId(a.id),
    watch: watchText(watch),
    package: watch.name,
    affectedVersions: effect.versions,
    fixedVersions: effect.fixed,
    ...(upgrade && { upgrade: upgradeAdvice(upgrade) }),
    invalidVersions: effect.invalid,
    aliases: a.aliases,
    url: osvUrl(a.id),
    references: a.references.map((r) => r.url).slice(0, 5),
    ...(a.published && { published: a.published }),
    modified: a.modified,
  };
}
