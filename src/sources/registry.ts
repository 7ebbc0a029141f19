import { parseOsvJson, parsePypaYaml } from "../advisory/osv-schema.js";
import type { Config } from "../config.js";
import type { HttpClient } from "../http/client.js";
import type { Logger } from "../log.js";
import { createGithubRepoSource } from "./github/github-repo-source.js";
import { createOsvSource } from "./osv/osv-source.js";
import { createPrioritySource } from "./priority/priority-source.js";
import { createFeedSource } from "./psf/announcements.js";
import { createCpythonResolver } from "./psf/cpython-versions.js";
import type { Source } from "./source.js";
import type { Clock } from "../clock.js";
import type { WatchIndex } from "../matching/watch-index.js";
import type { PypiFactsStore } from "./pypi/pypi-facts-store.js";
import { createPypiSource } from "./pypi/pypi-source.js";

/** Every base URL a source may fetch from: the HTTP client refuses anything else. */
export function sourceUrls(c: Config): string[] {
  return [c.osvBucketUrl, c.githubApiUrl, c.githubRawUrl, c.osvApiUrl, c.cveApiUrl, c.announceFeedUrl, c.insiderFeedUrl, c.kevUrl, c.epssUrl, c.pypiUrl];
}

export interface RegistryDeps {
  readonly http: HttpClient;
  readonly log: Logger;
  /** The real present, which upstream timestamps are checked against (tests may schedule on another clock). */
  readonly wallClock: Clock;
  /** The bot's clock (commands, digests, schedules): what PyPI's facts are dated by. */
  readonly clock: Clock;
  /** What PyPI said at the last poll (the pypi source compares; ingest writes). */
  readonly pypiFacts: Pick<PypiFactsStore, "get">;
  readonly index: Pick<WatchIndex, "watchedNames">;
  readonly onSeedProgress?: (n: number) => void;
}

/** The enabled sources (SOURCES), OSV first: it seeds the mirror. */
export function createSources(c: Config, d: RegistryDeps): Source[] {
  const github = { apiUrl: c.githubApiUrl, rawUrl: c.githubRawUrl, branch: "main", intervalMs: c.githubPollSeconds * 1000, http: d.http, log: d.log, wallClock: d.wallClock, ...(c.githubToken && { token: c.githubToken }) };
  const resolveCpython = createCpythonResolver({ http: d.http, osvApiUrl: c.osvApiUrl, cveApiUrl: c.cveApiUrl });
  const all: Record<Config["sources"][number], () => Source[]> = {
    osv: () => [createOsvSource({ bucketUrl: c.osvBucketUrl, intervalMs: c.osvPollSeconds * 1000, http: d.http, log: d.log, wallClock: d.wallClock, ...(d.onSeedProgress && { onProgress: d.onSeedProgress }) })],
    pypa: () => [createGithubRepoSource({
      ...github, id: "pypa", owner: "pypa", repo: "advisory-database",
      advisoryId: (p) => /^vulns\/[^/]+\/([^/]+)\.yaml$/.exec(p)?.[1],
      parse: async (text) => parsePypaYaml(text),
    })],
    psf: () => [createGithubRepoSource({
      ...github, id: "psf", owner: "psf", repo: "advisory-database",
      advisoryId: (p) => /^advisories\/[^/]+\/(PSF-[^/]+)\.json$/.exec(p)?.[1],
      parse: async (text) => resolveCpython(parseOsvJson(text)),
    })],
    feeds: () => [
      createFeedSource({ id: "security-announce", url: c.announceFeedUrl, allSecurity: true, intervalMs: c.feedsPollSeconds * 1000, http: d.http, log: d.log }),
      createFeedSource({ id: "python-insider", url: c.insiderFeedUrl, allSecurity: false, intervalMs: c.feedsPollSeconds * 1000, http: d.http, log: d.log }),
    ],
    priority: () => [createPrioritySource({ kevUrl: c.kevUrl, epssUrl: c.epssUrl, intervalMs: c.priorityPollSeconds * 1000, http: d.http })],
    pypi: () => [createPypiSource({
      baseUrl: c.pypiUrl, intervalMs: c.pypiPollSeconds * 1000, http: d.http, log: d.log, clock: d.clock, known: d.pypiFacts,
      watched: () => d.index.watchedNames((ch) => ch.signals !== "off"),
    })],
  };
  const order = ["osv", "pypa", "psf", "feeds", "priority", "pypi"] as const;
  return order.filter((s) => c.sources.includes(s)).flatMap((s) => all[s]());
}
