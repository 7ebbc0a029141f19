// What the core hands a chat adapter: a leaf module, read by the store (the outbox keeps messages)
// and by the renderers alike.
import type { ChangeKind } from "./advisory/diff.js";
import type { Severity } from "./advisory/severity.js";

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
  /** For PyPI's signals: what to do, shown instead of the affected and fixed versions. */
  readonly note?: string;
  readonly invalidVersions: string[];
  readonly aliases: string[];
  readonly url: string;
  readonly references: string[];
  readonly published?: string;
  readonly modified: string;
  /** A typosquat warning: `published` was released as malicious; the channel watches `watched`. */
  readonly lookalike?: { readonly published: string; readonly watched: string };
  /** Listed in CISA's Known Exploited Vulnerabilities catalog. */
  readonly kev?: boolean;
  /** FIRST EPSS probability, 0..1. */
  readonly epss?: number;
  /** The sources that confirmed this vulnerability (osv, pypa, psf, …), earliest first. */
  readonly sources?: string[];
}

/** A platform-neutral answer to a command. Plain text; adapters escape it for their platform. */
export interface Reply {
  readonly type: "reply";
  readonly text: string;
  /** Shown only to the person who asked, where the platform can do that. */
  readonly ephemeral: boolean;
  /** Another page of this answer follows on "more" (commands/pager.ts): adapters with buttons offer one. */
  readonly more?: boolean;
}

/** "high 8.1", "critical", or "severity not rated": how every surface names a severity. */
export function severityLabel(s: Severity): string {
  if (s.rating === "unknown") return "severity not rated";
  return s.score !== undefined ? `${s.rating} ${s.score.toFixed(1)}` : s.rating;
}
