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
  readonly mutes: string[];
  /** Weekly digests: the day (mon…sun); daily when unset. */
  readonly digestDay?: Weekday;
  /** Live alerts wait until the end of this local window (except malicious-package ones). */
  readonly quiet?: { readonly from: string; readonly to: string };
  /** Whether malicious-package and critical advisories skip the digest and go out at once. */
  readonly urgent: "live" | "digest";
  /** Post a short "all clear" digest when there is nothing new. */
  readonly allClear: boolean;
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

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DEFAULTS = { watches: [], mode: "live", digestTime: "09:00", timezone: "UTC", severity: "any", mutes: [], urgent: "live", allClear: false } as const;

export function newChannel(key: ChannelKey): Channel {
  return { v: 1, key, ...DEFAULTS, watches: [], mutes: [] };
}

/** Fills settings added after a record was written (records are migrated on read). */
export function withDefaults(c: Channel): Channel {
  return { ...DEFAULTS, ...c, watches: c.watches ?? [], mutes: c.mutes ?? [] };
}

export function platformOf(key: ChannelKey): string {
  return key.slice(0, key.indexOf(":"));
}
