import type { Change } from "../advisory/diff.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { NormalizedName } from "../advisory/names.js";
import { NOT_AFFECTED } from "../matching/affects.js";
import { forEachMatchGroup } from "../matching/match.js";
import type { WatchIndexView } from "../matching/watch-index.js";
import { buildNotification } from "../render/notification.js";
import type { PollOutcome, PriorityUpdate, RecordSink } from "../sources/source.js";
import type { PriorityIndex } from "../store/priority-index.js";
import type { DigestQueue } from "../store/ports/digests.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { Delivery, QueuedDelivery } from "../store/ports/outbox.js";
import type { Channel } from "../channel.js";
import { routeFor } from "../delivery/routing.js";
import type { PypiFactsStore, PypiUpdate } from "../sources/pypi/pypi-facts-store.js";
import { signalKindOf, signalRecord, wantsSignal } from "../sources/pypi/signal-record.js";
import type { Notification } from "../render/notification.js";
import type { Watch } from "../matching/specifiers.js";

export interface IngestDeps {
  readonly advisories: AdvisoryStore;
  readonly delivery: Delivery;
  readonly digests: DigestQueue;
  readonly index: WatchIndexView;
  readonly clock: Clock;
  readonly log: Logger;
  /** Exploitation signals by CVE (KEV, EPSS), when loaded. */
  readonly priority?: PriorityIndex;
  /** PyPI's facts per watched project, written from the pypi source's updates. */
  readonly pypiFacts: Pick<PypiFactsStore, "set">;
  readonly metrics?: Metrics;
  /** Called once per event after its fan-out is in the outbox (logging, the dispatcher's wake-up). */
  readonly onEvent?: (change: Change, queued: number) => void;
}

export interface Ingest {
  /** Where sources put what they read; the cursor moves only after it resolves. */
  readonly sink: RecordSink;
  /** Fans out one change (used for changes that do not come from a record, such as a KEV addition). */
  publish(change: Change): Promise<void>;
  /**
   * Keeps and publishes what a poll returned besides records: exploitation data (a CVE newly in
   * KEV re-announces its advisory; the first load, `baseline`, is not news) and PyPI's facts and
   * signals (each signal an advisory-like event, never stored in the mirror).
   */
  apply(outcome: PollOutcome, baseline: boolean): Promise<void>;
}

/** One channel's message about an event (its record when the index has it). */
interface Target {
  readonly channel: Channel | undefined;
  readonly key: string;
  readonly n: Notification;
}

/** How many outbox entries one fan-out writes at a time. */
const FAN_OUT_CHUNK = 1000;

function packagesOf(a: Change["current"]["advisory"]): NormalizedName[] {
  return [...new Set(a.affected.flatMap((x) => (x.package ? [x.package.name as NormalizedName] : [])))];
}

/** records → mirror → matches → outbox (or digest queue). */
export function createIngest(deps: IngestDeps): Ingest {
  const { advisories, delivery, index, clock } = deps;

  /** Into the outbox (now, or after quiet hours) or the channel's digest queue; returns how many were new. */
  async function deliver(targets: readonly Target[], now: Date): Promise<number> {
    const live: QueuedDelivery[] = [];
    let digested = 0;
    for (const { channel, key, n } of targets) {
      const route = channel ? routeFor(channel, n, now) : { kind: "live" as const };
      if (route.kind === "digest") {
        await deps.digests.add(key, { advisoryId: n.advisoryId, revision: n.revision, notification: n, at: now.toISOString() });
        digested++;
      } else {
        live.push({ item: { channel: key, advisoryId: n.advisoryId, revision: n.revision, message: n }, ...(route.notBefore && { notBefore: route.notBefore }) });
      }
    }
    return digested + (live.length > 0 ? await delivery.putMany(live, now) : 0);
  }

  async function fanOut(change: Change): Promise<number> {
    const ids = [change.current.advisory.id, ...change.current.advisory.aliases];
    const epss = deps.priority?.epss(ids) ?? change.current.epss;
    const stored = { ...change.current, kev: Boolean(change.current.kev || deps.priority?.kev(ids)), ...(epss !== undefined && { epss }) };
    const now = clock.now();
    if (change.kind === "withdrawn") {
      // Only those who were told need to hear it is withdrawn.
      const name = (stored.advisory.affected.find((a) => a.package)?.package?.name ?? "") as NormalizedName;
      const n = buildNotification("withdrawn", stored, { name, specifier: "" }, NOT_AFFECTED);
      return deliver(Object.keys(await delivery.told(stored.advisory.id)).map((key) => ({ channel: index.channel(key), key, n })), now);
    }
    const kind = change.kind === "new" ? "new" : "updated";
    // PyPI's signals reach only the channels that want them, and never as look-alike warnings.
    const signal = signalKindOf(stored);
    // One notification per group (its channels get the same message) and a copy of the group's
    // channel references: a command may change the index while the chunks below are written.
    const groups: { readonly watch: Watch; readonly n: Notification; readonly channels: readonly Channel[] }[] = [];
    forEachMatchGroup(stored, index, now, (g) => {
      if (signal && g.lookalike) return;
      groups.push({ watch: g.watch, n: buildNotification(kind, stored, g.watch, g.effect, g.lookalike), channels: [...g.channels] });
    });
    // Into the outbox a chunk at a time, never one entry per matched channel all at once.
    let queued = 0;
    let chunk: Target[] = [];
    for (const g of groups) {
      for (const channel of g.channels) {
        if (signal && !wantsSignal(channel, signal, g.watch)) continue;
        chunk.push({ channel, key: channel.key, n: g.n });
        if (chunk.length < FAN_OUT_CHUNK) continue;
        queued += await deliver(chunk, now);
        chunk = [];
      }
    }
    const matched = () => new Set(groups.flatMap((g) => g.channels.map((c) => c.key)));
    return queued + (await deliver([...chunk, ...(await noLongerNamed(change, matched))], now));
  }

  /**
   * A package the advisory no longer names (the record that named it was withdrawn, say): the
   * channels that were told about it for that package get the withdrawal.
   */
  async function noLongerNamed(change: Change, matchedKeys: () => ReadonlySet<string>): Promise<Target[]> {
    if (!change.previous) return [];
    const now = new Set(packagesOf(change.current.advisory));
    const dropped = packagesOf(change.previous.advisory).filter((p) => !now.has(p));
    if (dropped.length === 0) return [];
    const out: Target[] = [];
    const matched = matchedKeys();
    for (const key of Object.keys(await delivery.told(change.current.advisory.id))) {
      const channel = index.channel(key);
      const name = channel?.watches.find((w) => dropped.includes(w.name))?.name;
      if (matched.has(key) || !name) continue;
      out.push({ channel, key, n: buildNotification("withdrawn", change.current, { name, specifier: "" }, NOT_AFFECTED) });
    }
    return out;
  }

  async function publish(change: Change): Promise<void> {
    const queued = await fanOut(change);
    await advisories.fannedOut(change.current.advisory.id, change.current.revision);
    deps.metrics?.events.inc({ kind: change.kind });
    deps.metrics?.matches.inc(queued);
    deps.log.info({ id: change.current.advisory.id, kind: change.kind, revision: change.current.revision, queued }, "advisory event");
    deps.onEvent?.(change, queued);
  }

  async function applyPypi(updates: readonly PypiUpdate[]): Promise<void> {
    for (const { facts, signals } of updates) {
      for (const s of signals) await publish({ kind: "new", current: signalRecord(s, clock.now()), write: false });
      // Stored after the signals went out: a crash in between sends them again, never loses one.
      await deps.pypiFacts.set(facts);
    }
  }

  async function applyPriority(update: PriorityUpdate, baseline: boolean): Promise<void> {
      const priority = deps.priority;
      if (!priority) return;
      const added = update.kev ? await priority.setKev(update.kev, !baseline) : [];
      if (update.epss) await priority.setEpss(update.epss);
      for (const cve of added) {
        const stored = await advisories.get(cve);
        if (!stored || stored.kev) continue;
        const epss = priority.epss([cve, ...stored.advisory.aliases]);
        const change = await advisories.setPriority(stored.advisory.id, { kev: true, ...(epss !== undefined && { epss }) });
        if (change && change.kind !== "unchanged") await publish(change);
        deps.log.info({ cve, id: stored.advisory.id }, "advisory added to the KEV catalog");
      }
  }

  return {
    publish,
    async apply(outcome, baseline) {
      if (outcome.priority) await applyPriority(outcome.priority, baseline);
      if (outcome.pypi) await applyPypi(outcome.pypi);
    },
    async sink(records, { seed, source }) {
      const changes = await advisories.upsertMany(records, { quiet: seed, source });
      deps.metrics?.recordsIngested.inc({ source }, records.length);
      for (const change of changes) {
        // Merged advisories keep one message per channel: the absorbed one's message is now this one's.
        if (change.absorbed) await delivery.adopt(change.current.advisory.id, change.absorbed);
        if (change.kind !== "unchanged") await publish(change);
      }
    },
  };
}
