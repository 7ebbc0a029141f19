import { Cron } from "croner";
import type { Channel } from "../channel.js";
import type { Notification } from "../render/notification.js";

export type Route = { readonly kind: "digest" } | { readonly kind: "live"; readonly notBefore?: Date };

/** Minutes since local midnight in a timezone. */
function localMinutes(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The next instant a local HH:MM happens in a timezone (croner handles DST). */
export function nextLocal(hhmm: string, timezone: string, after: Date, weekday?: string): Date {
  const pattern = `${Number(hhmm.slice(3, 5))} ${Number(hhmm.slice(0, 2))} * * ${weekday ?? "*"}`;
  return new Cron(pattern, { timezone, paused: true }).nextRun(after) ?? after;
}

/** When quiet hours hold a live alert back: the end of the window, or undefined outside it. */
export function quietUntil(channel: Channel, now: Date): Date | undefined {
  if (!channel.quiet) return undefined;
  const t = localMinutes(now, channel.timezone);
  const from = minutes(channel.quiet.from);
  const to = minutes(channel.quiet.to);
  const inside = from < to ? t >= from && t < to : t >= from || t < to;
  return inside ? nextLocal(channel.quiet.to, channel.timezone, now) : undefined;
}

function isUrgent(n: Notification): boolean {
  return n.malicious || n.severity.rating === "critical";
}

/** Live now, live after quiet hours, or into the digest: the channel's settings decide. Pure. */
export function routeFor(channel: Channel, n: Notification, now: Date): Route {
  if (channel.mode === "digest" && !(isUrgent(n) && channel.urgent === "live")) return { kind: "digest" };
  if (n.malicious) return { kind: "live" }; // malicious packages never wait for quiet hours to end
  const until = quietUntil(channel, now);
  return until ? { kind: "live", notBefore: until } : { kind: "live" };
}
