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
  /** Set when delivery failed permanently (channel gone, bot removed); shown in `status`. */
  readonly paused?: { readonly at: string; readonly reason: string };
}

export const LIMITS = {
  watchesPerChannel: 500,
  inputChars: 2000,
  mutesPerChannel: 200,
} as const;

export function newChannel(key: ChannelKey): Channel {
  return { v: 1, key, watches: [], mode: "live", digestTime: "09:00", timezone: "UTC", severity: "any", mutes: [] };
}

export function platformOf(key: ChannelKey): string {
  return key.slice(0, key.indexOf(":"));
}
