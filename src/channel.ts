import type { Watch } from "./matching/specifiers.js";
import type { RATINGS } from "./advisory/severity.js";

/** `"<platform>:<id>"`, e.g. `"console:local"`, `"discord:1234"`. */
export type ChannelKey = string;
export type SeverityFloor = (typeof RATINGS)[number] | "any";

/** One chat channel's subscription. Stored as is; `v` is the record's schema version. */
export interface Channel {
  readonly v: 1;
  readonly key: ChannelKey;
  readonly watches: Watch[];
  readonly mode: "live" | "digest";
  readonly digestTime: string;
  readonly timezone: string;
  readonly severity: SeverityFloor;
  readonly mutes: Mute[];
  /** Tell only about advisories that have a fixed version (malicious packages are always told). */
  readonly fixedOnly: boolean;
  /** Warn when a malicious package is published under a name one edit away from a watched one. */
  readonly lookalikes: boolean;
  /** Further floors from exploitation signals: minimum EPSS probability, and only KEV-listed advisories. */
  readonly epssFloor: number;
  readonly kevOnly: boolean;
  /** Weekly digests: the day (mon…sun); daily when unset. */
  readonly digestDay?: Weekday;
  /** Live alerts wait until the end of this local window (except malicious-package ones). */
  readonly quiet?: { readonly from: string; readonly to: string };
  /** Whether malicious-package and critical advisories skip the digest and go out at once. */
  readonly urgent: "live" | "digest";
  /** Post a short "all clear" digest when there is nothing new. */
  readonly allClear: boolean;
  /** PyPI's own signals (quarantine, yanks, lost attestations, …): all, only those pointing at a compromise, or none. */
  readonly signals: "all" | "security" | "off";
  /** When the last digest was due (catch-up after downtime sends one, not one per missed day). */
  readonly lastDigestAt?: string;
  /** Set when delivery failed permanently (channel gone, bot removed); shown in `status`. */
  readonly paused?: { readonly at: string; readonly reason: string };
}

export const LIMITS = {
  watchesPerChannel: 500,
  inputChars: 2000,
  mutesPerChannel: 200,
} as const;

/** A muted advisory (id, matching its aliases too) or package, optionally until a date (inclusive, UTC). */
export interface Mute {
  readonly kind: "advisory" | "package";
  readonly target: string;
  readonly until?: string;
  /** Lapses once the advisory has a fixed version for the package (`mute … until-fixed`). */
  readonly untilFixed?: boolean;
  readonly reason?: string;
}

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DEFAULTS = { watches: [], mode: "live", digestTime: "09:00", timezone: "UTC", severity: "any", mutes: [], urgent: "live", allClear: false, signals: "all", fixedOnly: false, lookalikes: true, epssFloor: 0, kevOnly: false } as const;

export function newChannel(key: ChannelKey): Channel {
  return { v: 1, key, ...DEFAULTS, watches: [], mutes: [] };
}

/** Fills settings added after a record was written (records are migrated on read). */
export function withDefaults(c: Channel): Channel {
  // Mutes were plain advisory ids before they could expire.
  const mutes = (c.mutes ?? []).map((m): Mute => (typeof m === "string" ? { kind: "advisory", target: m } : m));
  return { ...DEFAULTS, ...c, watches: c.watches ?? [], mutes };
}

/** Mutes still in force on `now` (a mute `until` a date holds through that whole UTC day). */
export function activeMutes(c: Channel, now: Date): Mute[] {
  const today = now.toISOString().slice(0, 10);
  return c.mutes.filter((m) => !m.until || m.until >= today);
}

/**
 * Whether an advisory (by id or alias) or its package is muted in a channel right now; `fixed`:
 * the advisory has a fixed version for the package, which ends an until-fixed mute.
 */
export function isMutedFor(c: Channel, ids: readonly string[], pkg: string, now: Date, fixed = false): boolean {
  const upper = new Set(ids.map((i) => i.toUpperCase()));
  return activeMutes(c, now).some((m) => !(m.untilFixed && fixed) && (m.kind === "advisory" ? upper.has(m.target) : m.target === pkg));
}

export function describeMute(m: Mute): string {
  return `${m.target}${m.until ? ` until ${m.until}` : ""}${m.untilFixed ? " until a fix is out" : ""}${m.reason ? ` (${m.reason})` : ""}`;
}

export function platformOf(key: ChannelKey): string {
  return key.slice(0, key.indexOf(":"));
}
