import { describeSkipped } from "../sources/record-skips.js";
import type { NormalizedName } from "../advisory/names.js";
import { activeMutes, describeMute, LIMITS, type Channel, type ChannelKey } from "../channel.js";
import { parseDependencyFile } from "../deps/import.js";
import { affectedReport, diffWatches, notesReport, packageReport } from "./import-report.js";
import { summaryLine } from "./package-summary.js";
import { notable, pypiLine, pypiView, type PypiView } from "./pypi-line.js";
import type { PypiFactsStore } from "../sources/pypi/pypi-facts-store.js";
import type { Clock } from "../clock.js";
import { errorMessage, UserInputError } from "../errors.js";
import { findAffecting, formatFinding } from "../lookup.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { reply, type Reply } from "../render/notification.js";
import type { ChannelService } from "../channels/channel-service.js";
import type { CursorStore } from "../store/ports/cursors.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { QueueView } from "../store/ports/outbox.js";
import { createMirrorProbe } from "../mirror-probe.js";
import { describeWriteFailure, isStorageFailure, type WriteHealth } from "../store/write-health.js";
import { cannotTellAbout, mirrorState, staleness } from "../mirror-state.js";
import { signReportToken } from "../web/report-token.js";
import { helpFor, helpStyleFor, helpText } from "./help.js";
import { unknownNameLines, type NameSources } from "./unknown-names.js";
import { importCommand, MANAGING, parseCommand, type Attachment, type Command } from "./parse.js";

/** A command as an adapter hands it over; the adapter decides whether the user may manage the channel. */
export interface IncomingCommand {
  readonly channel: ChannelKey;
  readonly user: string;
  readonly canManage: boolean;
  readonly text: string;
  /** A dependency file sent with the command (an upload): watched under its label, as `watch -r` would. */
  readonly attachment?: Attachment;
}

export type CommandHandler = (cmd: IncomingCommand) => Promise<Reply>;

export interface CommandDeps {
  /** Changes go through the service, which keeps the watch index in step. */
  readonly channels: ChannelService;
  readonly advisories: AdvisoryStore;
  readonly cursors: CursorStore;
  readonly delivery: QueueView;
  readonly clock: Clock;
  /** MIRROR_STALE_HOURS: answers from an older mirror say how old it is (default 24). */
  readonly mirrorStaleHours?: number;
  /** Report links: PUBLIC_URL, the signing key and how long a link lasts; unset, `report` says how to enable it. */
  readonly report?: { readonly publicUrl: string; readonly secret: string; readonly ttlHours: number };
  /** PyPI's facts about watched packages, when the pypi source has read them. */
  readonly pypiFacts?: Pick<PypiFactsStore, "getMany">;
  /** Whether the store takes writes (status says when it does not). */
  readonly db?: { readonly writes: Pick<WriteHealth, "failure"> };
}

export function createCommandHandler(deps: CommandDeps): CommandHandler {
  const { channels } = deps;

  function withinLimit(c: Channel): Channel {
    if (c.watches.length > LIMITS.watchesPerChannel) {
      throw new UserInputError(`This channel would watch ${c.watches.length} packages; the limit is ${LIMITS.watchesPerChannel}. Unwatch some first.`);
    }
    return c;
  }


  const mirror = createMirrorProbe({ ...deps, staleHours: deps.mirrorStaleHours ?? 24 });
  const names: NameSources = {
    mirrorNames: () => deps.advisories.packageNames(),
    pypiKnows: async (wanted) => new Set(deps.pypiFacts && wanted.length ? (await deps.pypiFacts.getMany(wanted)).keys() : []),
  };

  /** One "PyPI: …" line per watch PyPI's facts are known for (`only`: just those worth a warning). */
  async function pypiLines(watches: readonly Watch[], only?: (v: PypiView) => boolean): Promise<string[]> {
    if (!deps.pypiFacts || watches.length === 0) return [];
    const facts = await deps.pypiFacts.getMany([...new Set(watches.map((w) => w.name))]);
    const now = deps.clock.now();
    return watches.flatMap((w) => {
      const f = facts.get(w.name);
      const v = f && pypiView(f, w, now);
      return v && (!only || only(v)) ? [pypiLine(w, v)] : [];
    });
  }

  const findAll = (watches: readonly Watch[]) => Promise.all(watches.map(async (watch) => ({ watch, findings: await findAffecting(deps.advisories, watch) })));

  async function run(cmd: Command, key: ChannelKey): Promise<Reply> {
    switch (cmd.name) {
      case "help":
        return reply(cmd.topic ? helpFor(cmd.topic, helpStyleFor(key)) : helpText(helpStyleFor(key)), true);
      case "watch": {
        await channels.update(key, (c) => {
          // A plain watch replaces the channel's own watch of that package; imported (labelled) ones stay.
          const names = new Set(cmd.watches.map((w) => w.name));
          const kept = c.watches.filter((w) => w.label !== undefined || !names.has(w.name));
          return withinLimit({ ...c, watches: [...kept, ...cmd.watches] });
        });
        const state = await mirror();
        // Watched all the same: a project may be new, or private; but a typo is said to be one.
        const unknown = await unknownNameLines(cmd.watches.map((w) => w.name), names);
        return reply([`Now watching ${cmd.watches.map(watchText).join(", ")}.`, ...unknown, ...packageReport(await findAll(cmd.watches), state, await deps.cursors.get("psf")), ...(await pypiLines(cmd.watches))].join("\n") + staleness(state));
      }
      case "import": {
        const parsed = parseDependencyFile(cmd.text, cmd.label);
        const next = parsed.watches.map((w) => ({ ...w, label: cmd.label }));
        let before: Watch[] = [];
        await channels.update(key, (c) => {
          before = c.watches.filter((w) => w.label === cmd.label);
          return withinLimit({ ...c, watches: [...c.watches.filter((w) => w.label !== cmd.label), ...next] });
        });
        const found = await findAll(next);
        const state = await mirror();
        return reply([`Imported ${cmd.label} (${parsed.format}): ${diffWatches(before, next)}`, affectedReport(found, state, await deps.cursors.get("psf")) + staleness(state), ...(await pypiLines(next, notable)), notesReport(parsed.notes)].filter(Boolean).join("\n"));
      }
      case "unwatch-label": {
        let removed = 0;
        await channels.update(key, (c) => {
          removed = c.watches.filter((w) => w.label === cmd.label).length;
          return { ...c, watches: c.watches.filter((w) => w.label !== cmd.label) };
        });
        return reply(removed ? `No longer watching the ${removed} packages from ${cmd.label}.` : `Nothing was imported as ${cmd.label}.`);
      }
      case "unwatch": {
        const gone = new Set<NormalizedName>(cmd.names);
        let removed: string[] = [];
        await channels.update(key, (c) => {
          removed = c.watches.filter((w) => gone.has(w.name)).map(watchText);
          return { ...c, watches: c.watches.filter((w) => !gone.has(w.name)) };
        });
        return reply(removed.length ? `No longer watching ${removed.join(", ")}.` : `This channel was not watching ${cmd.names.join(", ")}.`);
      }
      case "list": {
        const c = await channels.get(key);
        if (!c || c.watches.length === 0) return reply("This channel watches nothing yet. Try: watch requests django>=4.2,<5");
        const own = c.watches.filter((w) => w.label === undefined);
        const labels = [...new Set(c.watches.flatMap((w) => (w.label === undefined ? [] : [w.label])))].sort();
        const now = deps.clock.now();
        const mutes = activeMutes(c, now);
        return reply([
          `Watching ${c.watches.length}${own.length ? `: ${own.map(watchText).sort().join(", ")}` : ""}`,
          ...labels.map((l) => {
            const ws = c.watches.filter((w) => w.label === l).map(watchText).sort();
            return `From ${l} (${ws.length}): ${ws.slice(0, 30).join(", ")}${ws.length > 30 ? `, … and ${ws.length - 30} more` : ""}`;
          }),
          `Mode: ${c.mode}${c.mode === "digest" ? ` ${c.digestDay ? `every ${c.digestDay}` : "daily"} at ${c.digestTime} ${c.timezone}` : ""}; severity floor: ${c.severity}; urgent: ${c.urgent}`,
          ...(c.quiet ? [`Quiet hours: ${c.quiet.from}-${c.quiet.to} ${c.timezone}`] : []),
          ...(mutes.length ? [`Muted: ${mutes.map(describeMute).join(", ")}`] : []),
          ...(c.fixedOnly ? ["Fixed-only: alerts only when a fixed version exists"] : []),
          ...(c.kevOnly || c.epssFloor > 0 ? [`Exploitation floors: ${[c.kevOnly && "KEV only", c.epssFloor > 0 && `EPSS ≥ ${c.epssFloor}`].filter(Boolean).join(", ")}`] : []),
          ...(c.lookalikes ? [] : ["Look-alike warnings: off"]),
          ...(c.paused ? [`Paused since ${c.paused.at}: ${c.paused.reason}`] : []),
        ].join("\n"));
      }
      case "lookup": {
        const watch: Watch = { name: cmd.package, specifier: cmd.version ? `==${cmd.version}` : "" };
        const found = await findAffecting(deps.advisories, watch);
        const what = cmd.version ? `${cmd.package} ${cmd.version}` : cmd.package;
        const state = await mirror();
        const pypi = await pypiLines([watch]);
        if (found.length === 0) {
          const cannot = cannotTellAbout([cmd.package], state, await deps.cursors.get("psf"), what);
          const [unknown] = cannot ? [] : await unknownNameLines([cmd.package], names, (await channels.get(key))?.watches.map((w) => w.name));
          return reply([cannot ?? unknown ?? `No known advisory affects ${what}.${staleness(state)}`, ...pypi].join("\n"), true);
        }
        return reply([summaryLine(watch, found), ...found.map((f) => `• ${formatFinding(f, cmd.version)}`), ...pypi].join("\n") + staleness(state), true);
      }
      case "mode":
        // Digests count from the moment a channel switches to them.
        await channels.update(key, (c) => (c.mode === cmd.mode ? c : { ...c, mode: cmd.mode, lastDigestAt: deps.clock.now().toISOString() }));
        return reply(cmd.mode === "live" ? "Alerts will be posted as they arrive." : "Alerts will be collected into one daily digest.");
      case "digest-time": {
        await channels.update(key, (c) => {
          const { digestDay: _old, ...rest } = c;
          return { ...rest, digestTime: cmd.time, timezone: cmd.timezone, ...(cmd.day && { digestDay: cmd.day }) };
        });
        const when = cmd.day ? `every ${cmd.day} at ${cmd.time}` : `daily at ${cmd.time}`;
        return reply(`The digest will be sent ${when} ${cmd.timezone}.`);
      }
      case "quiet": {
        const window = cmd.window;
        await channels.update(key, (c) => {
          const { quiet: _old, ...rest } = c;
          return window ? { ...rest, quiet: window } : rest;
        });
        return reply(window ? `Live alerts will wait from ${window.from} to ${window.to} (channel timezone); malicious-package alerts still come at once.` : "Quiet hours are off.");
      }
      case "urgent":
        await channels.update(key, (c) => ({ ...c, urgent: cmd.urgent }));
        return reply(cmd.urgent === "live" ? "Malicious-package and critical advisories will be posted at once, even in digest mode." : "Malicious-package and critical advisories will wait for the digest too.");
      case "signals":
        await channels.update(key, (c) => ({ ...c, signals: cmd.level }));
        return reply(cmd.level === "off" ? "PyPI's own warnings are off (advisories still come)." : cmd.level === "security" ? "Only PyPI warnings that point at a possible compromise will be posted: quarantine, lost attestations, a changed publisher." : "Every PyPI warning will be posted: quarantine, yanked pins, lost attestations, publisher and license changes, archived or deprecated and brand-new projects.");
      case "all-clear":
        await channels.update(key, (c) => ({ ...c, allClear: cmd.on }));
        return reply(cmd.on ? "The digest will say \"all clear\" on days with nothing new." : "No digest will be posted on days with nothing new.");
      case "severity":
        await channels.update(key, (c) => ({ ...c, severity: cmd.floor }));
        return reply(cmd.floor === "any" ? "Alerts of every severity will be posted." : `Only ${cmd.floor} severity and above will be posted (unrated advisories still are).`);
      case "mute": {
        const m = cmd.mute;
        await channels.update(key, (c) => {
          // "until" holds through that whole UTC day (activeMutes): today is the earliest it can be.
          const today = deps.clock.now().toISOString().slice(0, 10);
          if (m.until && m.until < today) throw new UserInputError(`"${m.until}" is in the past (today is ${today}, UTC); give a date from today on, or leave "until" out to mute for good.`);
          const others = c.mutes.filter((x) => x.target !== m.target);
          if (others.length >= LIMITS.mutesPerChannel) throw new UserInputError(`At most ${LIMITS.mutesPerChannel} mutes per channel.`);
          return { ...c, mutes: [...others, m] };
        });
        const what = m.kind === "advisory" ? `${m.target} (and its aliases)` : `every advisory for ${m.target}`;
        return reply(`Muted ${what} in this channel${m.until ? ` until ${m.until} (inclusive)` : ""}${m.untilFixed ? " until a fixed version is out (then its alerts come again)" : ""}${m.reason ? `: ${m.reason}` : ""}.`);
      }
      case "unmute": {
        let had = false;
        await channels.update(key, (c) => {
          had = c.mutes.some((x) => x.target === cmd.target);
          return { ...c, mutes: c.mutes.filter((x) => x.target !== cmd.target) };
        });
        return reply(had ? `${cmd.target} is no longer muted.` : `${cmd.target} was not muted.`);
      }
      case "fixed-only":
        await channels.update(key, (c) => ({ ...c, fixedOnly: cmd.on }));
        return reply(cmd.on ? "Only advisories with a fixed version will be posted (malicious packages always are)." : "Every advisory will be posted, fixed or not.");
      case "lookalikes":
        await channels.update(key, (c) => ({ ...c, lookalikes: cmd.on }));
        return reply(cmd.on ? "You will be warned when a malicious package is published under a name one letter away from one you watch." : "Look-alike warnings are off.");
      case "kev-only":
        await channels.update(key, (c) => ({ ...c, kevOnly: cmd.on }));
        return reply(cmd.on ? "Only advisories known to be exploited (CISA KEV) will be posted (malicious packages always are)." : "Advisories are posted whether or not they are known to be exploited.");
      case "epss":
        await channels.update(key, (c) => ({ ...c, epssFloor: cmd.floor }));
        return reply(cmd.floor === 0 ? "No EPSS floor." : `Only advisories with an EPSS probability of at least ${cmd.floor} will be posted (advisories without a score still are).`);
      case "status":
        return reply(await statusText(deps, key));
      case "report": {
        if (!deps.report) return reply("Web reports are off on this bot. The operator turns them on by setting PUBLIC_URL to the address its HTTP server is reached at (e.g. https://pysec.example.org); then `report` answers with a link.", true);
        const expires = new Date(deps.clock.now().getTime() + deps.report.ttlHours * 3_600_000);
        const token = signReportToken({ channel: key, expires }, deps.report.secret);
        return reply(`This channel's report (valid until ${expires.toISOString().slice(0, 16).replace("T", " ")} UTC; anyone with the link can read it): ${deps.report.publicUrl}/report/${token}`, true);
      }
      case "more":
        // Long answers are paged where a platform needs it (commands/pager.ts); here nothing was.
        return reply("Nothing more to show: every answer here comes whole.", true);
    }
  }

  return async (incoming) => {
    try {
      const cmd = incoming.attachment ? importCommand(incoming.attachment) : parseCommand(incoming.text);
      if (MANAGING.has(cmd.name) && !incoming.canManage) {
        return reply("Only people who can manage this channel may change what it watches. Anyone may use lookup.", true);
      }
      return await run(cmd, incoming.channel);
    } catch (err) {
      if (err instanceof UserInputError) return reply(err.message, true);
      if (isStorageFailure(err)) return reply(`Nothing was changed: the bot cannot write to its store right now (${errorMessage(err)}). It keeps trying; ask again once the operator has freed space.`, true);
      throw err;
    }
  };
}

async function statusText(deps: CommandDeps, key: ChannelKey): Promise<string> {
  const now = deps.clock.now().getTime();
  const ago = (iso: string | undefined) => (iso ? `${Math.round((now - Date.parse(iso)) / 1000)} s ago` : "never");
  const sources = await deps.cursors.all();
  const lines = Object.entries(sources).map(([id, s]) =>
    `${id}: last success ${ago(s.lastSuccess)}; cursor ${s.cursor ?? "none"}${s.lastError ? `; last error ${ago(s.lastError.at)}: ${s.lastError.message}` : ""}${s.warning ? `; warning: ${s.warning}` : ""}${s.skippedRecords?.length ? `; ${describeSkipped(s.skippedRecords)}` : ""}`,
  );
  const items = (await deps.delivery.list()).filter((i) => i.channel === key);
  const parked = items.filter((i) => i.parked);
  const channel = await deps.channels.get(key);
  const count = await deps.advisories.count();
  const state = mirrorState(count > 0, sources["osv"] ?? { validators: {} }, deps.clock.now(), deps.mirrorStaleHours ?? 24);
  const failure = deps.db?.writes.failure;
  return [
    ...(failure ? [`Store: ${describeWriteFailure(failure)}. New alerts and changes wait until it can write; what it holds is kept.`] : []),
    `Mirror: ${count} advisories${state.kind === "not-ready" ? " (not ready: answers cannot say whether a version is affected)" : state.kind === "stale" ? " (out of date)" : ""}.${staleness(state)}`,
    ...(lines.length ? lines : ["No source has been polled yet."]),
    `This channel: ${items.length - parked.length} alerts pending, ${parked.length} parked.`,
    ...parked.slice(0, 5).map((i) => `  parked ${i.advisoryId}: ${i.parked}`),
    ...(channel?.paused ? [`Delivery paused since ${channel.paused.at}: ${channel.paused.reason}`] : []),
  ].join("\n");
}
