import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { fixturePath, readFixture } from "../helpers/fixtures.js";
import { startFakeServer, type FakeServer } from "./fake-server.js";

interface Commit {
  readonly sha: string;
  readonly date: string;
  readonly subject: string;
  /** path → new content (undefined: the file's content at the fixture commit), or null when deleted. */
  readonly files: Map<string, string | null | undefined>;
}

export interface FakeGithub extends FakeServer {
  /** Base for GITHUB_API_URL and GITHUB_RAW_URL (the raw host is served under /raw). */
  readonly api: string;
  readonly raw: string;
  readonly commits: readonly Commit[];
  /** Moves `main` of a repository to the commit at this index of its history (oldest first). */
  setHead(repo: string, index: number): void;
  /** Appends a commit (path → content, or null to delete) on top of a repository's history and makes it the head. */
  commit(repo: string, subject: string, files: Record<string, string | null>): string;
  /** Index of a commit by sha prefix in a repository's history. */
  indexOf(repo: string, shaPrefix: string): number;
}

function readHistory(): Commit[] {
  // pypa-history-status.tsv: newest first, `sha date subject A:path M:path D:path`.
  const rows = readFixture("pypa-history-status.tsv").trim().split("\n").map((line) => line.split("\t"));
  return rows.reverse().map(([sha, date, subject, paths]) => ({
    sha: sha!, date: date!, subject: subject!,
    files: new Map((paths ?? "").split(" ").filter(Boolean).map((p) => [p.slice(2), p.startsWith("D:") ? null : undefined] as const)),
  }));
}

/** A file's text at a real commit: the pipeline samples where we have them, else the fixture copy (3ccb612). */
function realContent(sha: string, path: string): string | undefined {
  const sample = fixturePath("pypa-history-samples", sha, path);
  if (existsSync(sample)) return readFileSync(sample, "utf8");
  const fixture = path.startsWith("vulns/") ? fixturePath("pypa", path) : fixturePath("psf", path);
  return existsSync(fixture) ? readFileSync(fixture, "utf8") : undefined;
}

/**
 * GitHub's REST API (commits/<branch>, compare/<base>...<head>) and raw host for advisory repositories,
 * replaying the real pypa/advisory-database commit stream over the real YAML, plus test commits.
 */
export async function startFakeGithub(): Promise<FakeGithub> {
  // psf starts at the fixture commit, whose files are test/fixtures/psf as they are.
  const psfStart: Commit = { sha: "53cdf6b36bf084804882b8fc143d7f9db17c5a89", date: "2024-09-07T20:18:09-05:00", subject: "fixture", files: new Map() };
  const histories = new Map<string, Commit[]>([["pypa/advisory-database", readHistory()], ["psf/advisory-database", [psfStart]]]);
  const heads = new Map<string, number>();
  for (const [repo, h] of histories) heads.set(repo, h.length - 1);

  const json = (res: ServerResponse, status: number, body: unknown, etag?: string) => {
    res.writeHead(status, { "content-type": "application/json", ...(etag && { etag }) }).end(JSON.stringify(body));
  };

  function contentAt(repo: string, sha: string, path: string): string | null | undefined {
    const h = histories.get(repo)!;
    const at = h.findIndex((c) => c.sha === sha);
    if (at === -1) return undefined;
    for (let i = at; i >= 0; i--) {
      const c = h[i]!;
      if (!c.files.has(path)) continue;
      const v = c.files.get(path);
      if (v === null) return null;
      return v ?? realContent(c.sha, path);
    }
    return realContent(sha, path);
  }

  const server = await startFakeServer((req, res) => {
    const url = (req.url ?? "").split("?")[0]!;
    const raw = /^\/raw\/([^/]+\/[^/]+)\/([0-9a-f]{40})\/(.+)$/.exec(url);
    if (raw) {
      const text = contentAt(raw[1]!, raw[2]!, decodeURIComponent(raw[3]!));
      if (typeof text !== "string") return json(res, 404, { message: "Not Found" });
      return res.writeHead(200, { "content-type": "text/plain" }).end(text);
    }
    const head = /^\/api\/repos\/([^/]+\/[^/]+)\/commits\/main$/.exec(url);
    if (head) {
      const h = histories.get(head[1]!);
      const c = h?.[heads.get(head[1]!)!];
      if (!c) return json(res, 404, { message: "Not Found" });
      const etag = `W/"${c.sha}"`;
      if (req.headers["if-none-match"] === etag) return res.writeHead(304, { etag }).end();
      return json(res, 200, { sha: c.sha, commit: { message: c.subject, committer: { date: c.date } } }, etag);
    }
    const cmp = /^\/api\/repos\/([^/]+\/[^/]+)\/compare\/([0-9a-f]{40})\.\.\.([0-9a-f]{40})$/.exec(url);
    if (cmp) {
      const h = histories.get(cmp[1]!) ?? [];
      const from = h.findIndex((c) => c.sha === cmp[2]);
      const to = h.findIndex((c) => c.sha === cmp[3]);
      if (from === -1 || to === -1) return json(res, 404, { message: "Not Found" });
      // The net change of every path between the two commits, as GitHub's compare reports it.
      const after = new Map<string, boolean>();
      for (const c of h.slice(from + 1, to + 1)) for (const [path, v] of c.files) after.set(path, v !== null);
      const files = [...after].flatMap(([filename, exists]) => {
        const existed = contentAt(cmp[1]!, cmp[2]!, filename);
        const had = typeof existed === "string";
        if (!had && !exists) return [];
        return [{ filename, status: !had ? "added" : !exists ? "removed" : "modified" }];
      });
      return json(res, 200, { status: "ahead", ahead_by: to - from, files });
    }
    return json(res, 404, { message: "Not Found" });
  });

  return {
    ...server,
    api: `${server.url}/api`,
    raw: `${server.url}/raw`,
    commits: histories.get("pypa/advisory-database")!,
    setHead(repo, index) {
      heads.set(repo, index);
    },
    indexOf(repo, prefix) {
      return histories.get(repo)!.findIndex((c) => c.sha.startsWith(prefix));
    },
    commit(repo, subject, files) {
      const h = histories.get(repo)!;
      const sha = createHash("sha1").update(`${repo}|${h.length}|${subject}|${JSON.stringify(files)}`).digest("hex");
      h.push({ sha, date: new Date().toISOString(), subject, files: new Map(Object.entries(files)) });
      heads.set(repo, h.length - 1);
      return sha;
    },
  };
}
