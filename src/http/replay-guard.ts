import type { Clock } from "../clock.js";

const WINDOW_MS = 5 * 60_000;

/**
 * Signed webhook requests carry a timestamp: one outside five minutes of now is stale, and a
 * signature already seen within the window is a replay. Either is refused. Signatures are hex
 * (Discord's, Slack's after `v0=`), which the verifiers accept in either letter case: they are
 * compared without it, or the same request in upper case would pass as new.
 */
export function createReplayGuard(clock: Clock): (signature: string, timestampMs: number) => "ok" | "stale" | "replayed" {
  const seen = new Map<string, number>();
  return (signature, timestampMs) => {
    const now = clock.now().getTime();
    for (const [sig, at] of seen) if (now - at > WINDOW_MS) seen.delete(sig);
    if (!Number.isFinite(timestampMs) || Math.abs(now - timestampMs) > WINDOW_MS) return "stale";
    const key = signature.toLowerCase();
    if (seen.has(key)) return "replayed";
    seen.set(key, now);
    return "ok";
  };
}
