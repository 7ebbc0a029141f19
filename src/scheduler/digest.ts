import { meetsFloor } from "../advisory/severity.js";
import { isMutedFor, platformOf, type Channel } from "../channel.js";
import type { Clock } from "../clock.js";
import { nextLocal } from "../delivery/routing.js";
import { errorMessage } from "../errors.js";
import type { Logger } from "../log.js";
import { allClearText, buildDigest } from "../render/digest.js";
import { createMirrorProbe, type MirrorProbeDeps } from "../mirror-probe.js";
import { cannotTellAbout } from "../mirror-state.js";
import { reply } from "../render/notification.js";
import type { ChannelService } from "../channels/channel-service.js";
import type { DigestQueue } from "../store/ports/digests.js";
import type { Enqueue } from "../store/ports/outbox.js";

export interface DigestSchedulerDeps extends Omit<MirrorProbeDeps, "staleHours"> {
  readonly channels: ChannelService;
  readonly digests: DigestQueue;
  readonly delivery: Enqueue;
  readonly clock: Clock;
  readonly log: Logger;
  /** Longest plain text one message may carry on a platform (undefined: no such platform running). */
  readonly maxLength: (platform: string) => number | undefined;
  readonly onQueued?: () => void;
  /** MIRROR_STALE_HOURS: an all-clear digest from an older mirror says how old it is. */
  readonly mirrorStaleHours?: number;
}

export interface DigestScheduler {
  /** Sends every digest that is due now (each channel at most once, however many were missed). */
  tick(): Promise<number>;
  run(signal: AbortSignal): Promise<void>;
}

/** The most recent due time at or before `now`, counting from `since`; undefined if none is due yet. */
export function lastDue(channel: Channel, since: Date, now: Date): Date | undefined {
  let due: Date | undefined;
  for (let next = nextLocal(channel.digestTime, channel.timezone, since, channel.digestDay); next <= now; next = nextLocal(channel.digestTime, channel.timezone, next, channel.digestDay)) {
    due = next;
  }
  return due;
}

export function createDigestScheduler(deps: DigestSchedulerDeps): DigestScheduler {
  const { channels, digests, delivery, clock, log } = deps;
  const mirror = createMirrorProbe({ ...deps, staleHours: deps.mirrorStaleHours ?? 24 });

  async function send(channel: Channel, due: Date): Promise<boolean> {
    const maxLength = deps.maxLength(platformOf(channel.key));
    if (maxLength === undefined) return false; // its platform is not running: try again when it is
    const now = clock.now();
    const entries = await digests.list(channel.key);
    // Settings may have changed since an alert was queued: apply them as they are now.
    const wanted = entries.filter((e) => {
      const n = e.notification;
      return meetsFloor(n.severity.rating, channel.severity) && !isMutedFor(channel, [n.advisoryId, ...n.aliases], n.package, now, n.fixedVersions.length > 0) && !(channel.fixedOnly && n.fixedVersions.length === 0 && !n.malicious);
    });
    const date = due.toISOString().slice(0, 10);
    const allClear = async () => {
      const state = await mirror();
      const cpython = channel.watches.some((w) => w.name === "python") ? cannotTellAbout(["python"], state, await deps.cursors.get("psf"), "python") : undefined;
      return allClearText(state, `pysec-herald digest, ${date}`, cpython);
    };
    const texts = wanted.length > 0 ? buildDigest(wanted, `pysec-herald digest, ${date}`, maxLength) : channel.allClear ? [await allClear()] : [];
    // Keys carry the due time, so a digest rebuilt after a crash is not posted twice.
    for (const [i, text] of texts.entries()) {
      await delivery.put({ channel: channel.key, advisoryId: `digest:${due.toISOString()}`, revision: i + 1, message: reply(text) }, clock.now());
    }
    await digests.remove(channel.key, entries);
    await channels.update(channel.key, (c) => ({ ...c, lastDigestAt: due.toISOString() }));
    return texts.length > 0;
  }

  async function tick(): Promise<number> {
    const now = clock.now();
    let sent = 0;
    // The index's records, not a read of every channel from the store each tick; an update below
    // replaces an entry in place, which iteration allows.
    for (const channel of channels.current()) {
      if (channel.mode !== "digest" || channel.paused) continue;
      if (!channel.lastDigestAt) {
        // First sight of a digest channel: count from now.
        await channels.update(channel.key, (c) => ({ ...c, lastDigestAt: now.toISOString() }));
        continue;
      }
      const due = lastDue(channel, new Date(channel.lastDigestAt), now);
      if (!due) continue;
      try {
        if (await send(channel, due)) sent++;
      } catch (err) {
        log.error({ channel: channel.key, err: errorMessage(err) }, "digest failed");
      }
    }
    if (sent > 0) deps.onQueued?.();
    return sent;
  }

  return {
    tick,
    async run(signal) {
      while (!signal.aborted) {
        // A store that cannot be read or written now (full disk) is tried again at the next tick.
        await tick().catch((err: unknown) => log.error({ err: errorMessage(err) }, "digest check failed"));
        await clock.sleep(30_000, signal);
      }
    },
  };
}
