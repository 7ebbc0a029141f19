import { z } from "zod";
import { isIgnoredId, isSafeId } from "../../advisory/ids.js";
import type { Advisory } from "../../advisory/osv-schema.js";
import { UpstreamError } from "../../errors.js";
import { readLimited, type HttpClient } from "../../http/client.js";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../log.js";
import { mapLimit } from "../../util/map-limit.js";
import { recordSkips } from "../record-skips.js";
import type { PollOutcome, Source } from "../source.js";

export interface GithubRepoOptions {
  readonly id: string;
  readonly owner: string;
  readonly repo: string;
  readonly branch: string;
  readonly apiUrl: string;
  readonly rawUrl: string;
  readonly token?: string;
  readonly intervalMs: number;
  readonly http: HttpClient;
  readonly log: Logger;
  /** The present, for a withdrawal whose commit carries no date. */
  readonly wallClock: Clock;
  /** Which changed paths hold advisories (e.g. `vulns/<pkg>/<ID>.yaml`); returns the advisory id or undefined. */
  readonly advisoryId: (path: string) => string | undefined;
  /** Raw file text → Advisory (YAML or JSON), possibly enriched (PSF: CPython versions). */
  readonly parse: (text: string, path: string) => Promise<Advisory>;
}

const Head = z.object({ sha: z.string().regex(/^[0-9a-f]{40}$/), commit: z.object({ committer: z.object({ date: z.string() }).partial().optional() }).optional() });
const Compare = z.object({
  files: z.array(z.object({ filename: z.string(), status: z.string(), previous_filename: z.string().optional() })).default([]),
});

const MAX_BODY = 10 * 1024 * 1024;

/** Where one changed file's failure goes: counted (a fetch) or passed over (invalid as it stands). */
interface SkipFile {
  failed(err: UpstreamError): void;
  invalid(reason: string): void;
}

/**
 * Follows one GitHub repository of advisories: an idle poll is one conditional request for the
 * branch head (304); otherwise the files changed since the cursor commit (compare) are fetched at
 * the new head from the raw host. The first poll only records the head: history is not news.
 * A deleted advisory file is a withdrawal.
 */
export function createGithubRepoSource(opts: GithubRepoOptions): Source {
  const log = opts.log.child({ source: opts.id });
  const repoPath = `${opts.owner}/${opts.repo}`;
  const headUrl = `${opts.apiUrl}/repos/${repoPath}/commits/${opts.branch}`;
  const headers = { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28", ...(opts.token && { authorization: `Bearer ${opts.token}` }) };

  async function json<T>(url: string, schema: z.ZodType<T>, signal: AbortSignal): Promise<T> {
    const text = await opts.http.text(url, { source: opts.id, signal, headers, maxBytes: MAX_BODY });
    let raw: unknown;
    try {
      raw = JSON.parse(text ?? "null");
    } catch {
      throw new UpstreamError(`${url} did not answer JSON`, opts.id);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new UpstreamError(`unexpected answer from ${url}`, opts.id);
    return parsed.data;
  }

  /** The advisory in `path` at `sha`; undefined when it is not there or cannot be taken (told to `skips`). */
  async function fileAt(sha: string, path: string, skip: SkipFile, signal: AbortSignal): Promise<Advisory | undefined> {
    const url = `${opts.rawUrl}/${repoPath}/${sha}/${path.split("/").map(encodeURIComponent).join("/")}`;
    let text: string | undefined;
    try {
      text = await opts.http.text(url, { source: opts.id, signal, headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {}, maxBytes: MAX_BODY });
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) {
        log.warn({ path, sha }, "changed file not found at its commit");
        return undefined;
      }
      if (!(err instanceof UpstreamError) || signal.aborted) throw err;
      return void skip.failed(err);
    }
    try {
      return text === undefined ? undefined : await opts.parse(text, path);
    } catch (err) {
      // Enrichment asks other upstreams (PSF: CPython versions from OSV or the CVE record).
      if (err instanceof UpstreamError) {
        if (signal.aborted) throw err;
        return void skip.failed(err);
      }
      log.warn({ path, err: (err as Error).message }, "skipped malformed record");
      return void skip.invalid(`not a valid advisory: ${(err as Error).message.slice(0, 200)}`);
    }
  }

  return {
    id: opts.id,
    intervalMs: opts.intervalMs,
    async poll(state, sink, signal): Promise<PollOutcome> {
      const r = await opts.http.get(headUrl, { source: opts.id, signal, headers, ...(state.validators[headUrl] && { validators: state.validators[headUrl] }) });
      if (r.notModified) return { ...(state.cursor && { cursor: state.cursor }), validators: state.validators, read: 0, skipped: 0, ...(state.skippedRecords && { skippedRecords: state.skippedRecords }) };
      const body = await readLimited(r.body, MAX_BODY, headUrl, opts.id);
      let raw: unknown;
      try {
        raw = JSON.parse(body);
      } catch {
        raw = undefined;
      }
      const head = Head.safeParse(raw);
      if (!head.success) throw new UpstreamError(`unexpected answer from ${headUrl}`, opts.id);
      const sha = head.data.sha;
      const validators = { ...state.validators, [headUrl]: r.validators };
      if (state.cursor === undefined || state.cursor === sha) {
        if (state.cursor === undefined) log.info({ sha }, "baseline: history before this commit is not news");
        return { cursor: sha, validators, read: 0, skipped: 0 };
      }
      const cmp = await json(`${opts.apiUrl}/repos/${repoPath}/compare/${state.cursor}...${sha}`, Compare, signal);
      const changes: { path: string; removed: boolean }[] = [];
      for (const f of cmp.files) {
        if (f.status === "renamed" && f.previous_filename) changes.push({ path: f.previous_filename, removed: true });
        changes.push({ path: f.filename, removed: f.status === "removed" });
      }
      const wanted = changes.filter((c) => {
        const id = opts.advisoryId(c.path);
        return id !== undefined && isSafeId(id) && !isIgnoredId(id);
      });
      // Withdrawn when the commit that deleted the file was made; never earlier than the record's own date.
      const committed = head.data.commit?.committer?.date;
      const withdrawnAt = committed && !Number.isNaN(Date.parse(committed)) ? new Date(committed).toISOString() : opts.wallClock.now().toISOString();
      // A file that cannot be taken (too large, invalid, failing poll after poll) is passed over,
      // so that it never holds back the commits after it; a later change to it is tried again.
      // Failures are counted against the cursor commit, which stays until the poll succeeds.
      const skips = recordSkips(state);
      const records = await mapLimit(wanted, 4, async (c) => {
        const id = opts.advisoryId(c.path)!;
        const skip: SkipFile = { failed: (err) => skips.failed(id, state.cursor, err), invalid: (reason) => skips.skip(id, state.cursor, reason) };
        const a = c.removed ? await withdrawal(c.path, skip) : await fileAt(sha, c.path, skip, signal);
        if (a) skips.taken(id);
        return a;
      });
      // A deleted file is a withdrawal: the last published version, marked withdrawn.
      async function withdrawal(path: string, skip: SkipFile): Promise<Advisory | undefined> {
        const last = await fileAt(state.cursor!, path, skip, signal);
        if (!last) return undefined;
        const modified = Date.parse(last.modified) > Date.parse(withdrawnAt) ? last.modified : withdrawnAt;
        return { ...last, withdrawn: last.withdrawn ?? withdrawnAt, modified };
      }
      const found = records.filter((a): a is Advisory => a !== undefined);
      skips.settle(found.length > 0 || wanted.length === 1);
      if (found.length) await sink(found, { seed: false, source: opts.id });
      return { cursor: sha, validators, read: found.length, skipped: wanted.length - found.length, skippedRecords: skips.list };
    },
  };
}
