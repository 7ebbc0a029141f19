import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { z } from "zod";
import { UpstreamError } from "../../errors.js";
import { readLimited, type HttpClient } from "../../http/client.js";
import type { PollOutcome, PriorityUpdate, Source } from "../source.js";

export interface PrioritySourceOptions {
  readonly kevUrl: string;
  readonly epssUrl: string;
  readonly intervalMs: number;
  readonly http: HttpClient;
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
 * conditional request. It only reads: ingest keeps them and re-announces an advisory whose CVE
 * was newly added to KEV, as a material update.
 */
export function createPrioritySource(opts: PrioritySourceOptions): Source {
  const previous = (state: { validators: Record<string, { etag?: string; lastModified?: string }> }, url: string) =>
    state.validators[url] ? { validators: state.validators[url] } : {};
  return {
    id: "priority",
    intervalMs: opts.intervalMs,
    async poll(state, _sink, signal): Promise<PollOutcome> {
      const validators = { ...state.validators };
      let read = 0;
      const priority: { kev?: readonly string[]; epss?: ReadonlyMap<string, number> } = {};
      const kev = await opts.http.get(opts.kevUrl, { source: "priority", signal, ...previous(state, opts.kevUrl) });
      if (!kev.notModified) {
        const parsed = Kev.safeParse(parseJson(await readLimited(kev.body, 50 * 1024 * 1024, opts.kevUrl, "priority")));
        if (!parsed.success) throw new UpstreamError("the KEV catalog has an unexpected shape", "priority");
        const cves = parsed.data.vulnerabilities.map((v) => v.cveID);
        priority.kev = cves;
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
        priority.epss = scores;
        validators[opts.epssUrl] = epss.validators;
        read += scores.size;
      }
      const update: PriorityUpdate = priority;
      return { cursor: "loaded", validators, read, skipped: 0, ...((update.kev || update.epss) && { priority: update }) };
    },
  };
}
