import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { z } from "zod";
import type { Change } from "../../advisory/diff.js";
import { UpstreamError } from "../../errors.js";
import { readLimited, type HttpClient } from "../../http/client.js";
import type { Logger } from "../../log.js";
import type { AdvisoryStore } from "../../store/ports.js";
import type { PriorityIndex } from "../../store/priority-index.js";
import type { PollOutcome, Source } from "../source.js";

export interface PrioritySourceOptions {
  readonly kevUrl: string;
  readonly epssUrl: string;
  readonly intervalMs: number;
  readonly http: HttpClient;
  readonly log: Logger;
  readonly advisories: AdvisoryStore;
  readonly index: PriorityIndex;
  /** Fans out a change (a KEV addition makes an alert "updated"). */
  readonly publish: (change: Change) => Promise<void>;
}

const Kev = z.object({ vulnerabilities: z.array(z.object({ cveID: z.string() }).passthrough()) }).passthrough();

/** EPSS's daily CSV (`cve,epss,percentile`, `#` comment and header lines), gzipped or not, streamed. */
export async function readEpss(body: Readable, gzipped: boolean): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  let rest = "";
  const stream = gzipped ? body.pipe(createGunzip()) : body;
  const take = (line: string) => {
    const [cve, epss] = line.trim().split(",");
    const score = Number(epss);
    if (cve && /^CVE-\d{4}-\d+$/.test(cve) && epss !== undefined && epss !== "" && Number.isFinite(score) && score >= 0 && score <= 1) scores.set(cve, score);
  };
  for await (const chunk of stream) {
    const lines = (rest + (chunk as Buffer).toString("utf8")).split("\n");
    rest = lines.pop() ?? "";
    lines.forEach(take);
  }
  take(rest);
  return scores;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * CISA's Known Exploited Vulnerabilities catalog and FIRST's EPSS scores, each behind a
 * conditional request. A CVE newly added to KEV re-announces its advisory as a material update.
 */
export function createPrioritySource(opts: PrioritySourceOptions): Source {
  const log = opts.log.child({ source: "priority" });
  const previous = (state: { validators: Record<string, { etag?: string; lastModified?: string }> }, url: string) =>
    state.validators[url] ? { validators: state.validators[url] } : {};
  return {
    id: "priority",
    intervalMs: opts.intervalMs,
    async poll(state, _sink, signal): Promise<PollOutcome> {
      const validators = { ...state.validators };
      let read = 0;
      let added: string[] = [];
      const kev = await opts.http.get(opts.kevUrl, { source: "priority", signal, ...previous(state, opts.kevUrl) });
      if (!kev.notModified) {
        const parsed = Kev.safeParse(parseJson(await readLimited(kev.body, 50 * 1024 * 1024, opts.kevUrl, "priority")));
        if (!parsed.success) throw new UpstreamError("the KEV catalog has an unexpected shape", "priority");
        const cves = parsed.data.vulnerabilities.map((v) => v.cveID);
        // The first load is the baseline: only later additions are news.
        added = await opts.index.setKev(cves, state.cursor !== undefined);
        validators[opts.kevUrl] = kev.validators;
        read += cves.length;
      }
      const epss = await opts.http.get(opts.epssUrl, { source: "priority", signal, ...previous(state, opts.epssUrl) });
      if (!epss.notModified) {
        let scores: Map<string, number>;
        try {
          scores = await readEpss(epss.body, opts.epssUrl.endsWith(".gz"));
        } catch (err) {
          throw new UpstreamError(`the EPSS file is unreadable: ${(err as Error).message}`, "priority");
        }
        await opts.index.setEpss(scores);
        validators[opts.epssUrl] = epss.validators;
        read += scores.size;
      }
      for (const cve of added) {
        const stored = await opts.advisories.get(cve);
        if (!stored || stored.kev) continue;
        const epssScore = opts.index.epss([cve, ...stored.advisory.aliases]);
        const change = await opts.advisories.setPriority(stored.advisory.id, { kev: true, ...(epssScore !== undefined && { epss: epssScore }) });
        if (change && change.kind !== "unchanged") await opts.publish(change);
        log.info({ cve, id: stored.advisory.id }, "advisory added to the KEV catalog");
      }
      return { cursor: "loaded", validators, read, skipped: 0 };
    },
  };
}
