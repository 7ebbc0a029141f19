import { UpstreamError } from "../../errors.js";
import { readLimited, type HttpClient } from "../../http/client.js";
import type { Logger } from "../../log.js";
import type { PypiFactsStore, PypiUpdate, StoredPypiFacts } from "./pypi-facts-store.js";
import { mapLimit } from "../../util/map-limit.js";
import type { Clock } from "../../clock.js";
import type { PollOutcome, Source } from "../source.js";
import { installable, parseLicense, parsePublisher, parseSimpleDetail, type Publisher, type PypiFacts } from "./pypi-facts.js";
import { signalsOf } from "./pypi-signals.js";

const SOURCE = "pypi";
const MAX_BODY = 20 * 1024 * 1024;
const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";

export interface PypiSourceOptions {
  readonly baseUrl: string;
  readonly intervalMs: number;
  readonly http: HttpClient;
  readonly log: Logger;
  /**
   * The present, for "first released N days ago": the bot's own clock, the one commands read, so
   * that a signal and a lookup agree on how old a project is.
   */
  readonly clock: Clock;
  /** What the last poll found (read only: ingest writes what this poll returns). */
  readonly known: Pick<PypiFactsStore, "get">;
  /** The packages some channel watches now: nobody else's are asked about. */
  readonly watched: () => readonly string[];
  readonly concurrency?: number;
}

/**
 * PyPI's own data for watched packages, returned as updates (new facts and the signals they raise)
 * for ingest to send and store: one conditional request per package per interval to the
 * Simple API (PEP 691 JSON: project status, releases, yanks, provenance), and only when that
 * changed, the JSON API for licenses and the Integrity API for the newest releases' publishers.
 */
export function createPypiSource(opts: PypiSourceOptions): Source {
  const { http, log } = opts;
  const base = opts.baseUrl;

  async function text(url: string, signal: AbortSignal, accept = "application/json"): Promise<string | undefined> {
    try {
      return await http.text(url, { source: SOURCE, signal, maxBytes: MAX_BODY, headers: { accept } });
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Licenses and publishers of the newest two installable releases, reusing what is known. */
  async function enrich(next: Omit<PypiFacts, "licenses" | "publishers">, old: StoredPypiFacts | undefined, signal: AbortSignal): Promise<Pick<PypiFacts, "licenses" | "publishers">> {
    const licenses: Record<string, string> = {};
    const publishers: Record<string, Publisher | null> = {};
    const name = encodeURIComponent(next.name);
    for (const version of installable(next).slice(0, 2)) {
      const known = old?.licenses[version];
      const body = known === undefined ? await text(`${base}/pypi/${name}/${encodeURIComponent(version)}/json`, signal) : undefined;
      const license = known ?? (body === undefined ? undefined : parseLicense(body).license);
      if (license) licenses[version] = license;
      const url = next.releases[version]?.provenanceUrl;
      if (!url) continue;
      if (old && version in old.publishers) publishers[version] = old.publishers[version]!;
      else {
        // Only a provenance URL below PYPI_URL is followed (the client refuses any other anyway).
        const file = encodeURIComponent(decodeURIComponent(url.split("/").at(-2) ?? ""));
        const own = url.startsWith(`${base}/`) ? url : `${base}/integrity/${name}/${encodeURIComponent(version)}/${file}/provenance`;
        const prov = await text(own, signal, "application/vnd.pypi.integrity.v1+json");
        publishers[version] = prov === undefined ? null : parsePublisher(prov);
      }
    }
    return { licenses, publishers };
  }

  /** One package: what changed, when PyPI's answer did. A malformed answer leaves what was known. */
  async function check(name: string, signal: AbortSignal): Promise<PypiUpdate | undefined> {
    const old = await opts.known.get(name);
    const url = `${base}/simple/${encodeURIComponent(name)}/`;
    let r;
    try {
      r = await http.get(url, { source: SOURCE, signal, headers: { accept: SIMPLE_JSON }, ...(old?.validators && { validators: old.validators }) });
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return undefined; // not on PyPI (or under another name)
      throw err;
    }
    if (r.notModified) return undefined;
    // A body that does not arrive (too large, too slow, cut off) is a failed check, counted.
    const page = await readLimited(r.body, MAX_BODY, url, SOURCE);
    let parsed;
    try {
      parsed = await parseSimpleDetail(page);
    } catch (err) {
      log.warn({ name, err: (err as Error).message }, "PyPI answered something that is not a project page; keeping what was known");
      return undefined;
    }
    const now = opts.clock.now();
    const core = { v: 1 as const, ...parsed, name, emitted: old?.emitted ?? [], checkedAt: now.toISOString() };
    let extra;
    try {
      extra = await enrich(core, old, signal);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 429) throw err;
      log.warn({ name, err: (err as Error).message }, "license or provenance unreadable; compared next time");
      extra = { licenses: old?.licenses ?? {}, publishers: old?.publishers ?? {} };
    }
    const facts: PypiFacts = { ...core, ...extra };
    const signals = signalsOf(facts, now).map((s) => ({ ...s, url: `${base}/project/${encodeURIComponent(name)}/` }));
    return { facts: { ...facts, emitted: [...facts.emitted, ...signals.map((s) => s.id)], validators: r.validators }, signals };
  }

  return {
    id: SOURCE,
    intervalMs: opts.intervalMs,
    async poll(state, _sink, signal): Promise<PollOutcome> {
      const names = [...new Set(opts.watched())].sort();
      // Nothing watched, nothing asked: status says so rather than a success that read nothing.
      if (names.length === 0) return { validators: state.validators, read: 0, skipped: 0, warning: "nothing to check yet: no channel watches a package" };
      const pypi: PypiUpdate[] = [];
      let skipped = 0;
      let limited: UpstreamError | undefined;
      await mapLimit(names, opts.concurrency ?? 4, async (name) => {
        if (limited || signal.aborted) return;
        try {
          const update = await check(name, signal);
          if (update) pypi.push(update);
        } catch (err) {
          // 429: stop asking for this interval, and let the poller wait as PyPI says.
          if (err instanceof UpstreamError && err.status === 429) limited = err;
          else {
            skipped++;
            log.warn({ name, err: (err as Error).message }, "PyPI check failed; kept what was known");
          }
        }
      });
      // What this poll found so far is asked for again next time: nothing was stored or sent.
      if (limited) throw limited;
      return { validators: state.validators, read: pypi.length, skipped, pypi, ...(skipped > 0 && { warning: `${skipped} of ${names.length} PyPI checks failed in the last poll` }) };
    },
  };
}
