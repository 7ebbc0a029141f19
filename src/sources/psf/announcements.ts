import { createHash } from "node:crypto";
import Parser from "rss-parser";
import type { NormalizedName } from "../../advisory/names.js";
import type { Advisory } from "../../advisory/osv-schema.js";
import { UpstreamError } from "../../errors.js";
import { readLimited, type HttpClient } from "../../http/client.js";
import type { Logger } from "../../log.js";
import { isVersion } from "../../matching/intervals.js";
import type { PollOutcome, Source } from "../source.js";

/** A post on the security-announce list or the Python Insider blog. */
export interface Announcement {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly date: string;
  readonly text: string;
  readonly categories: string[];
  readonly cves: string[];
  readonly pythonVersions: string[];
  readonly mentionsPip: boolean;
}

const CVE = /CVE-\d{4}-\d{4,}/g;
// "Python 3.12.4", "3.11.9 and 3.10.14": versions of the 3.x line named in prose.
const PY_VERSION = /\b(3\.\d{1,2}\.\d{1,2}(?:(?:a|b|rc)\d+)?)\b/g;

/** Security-relevant posts: security in the title or labels, or a CVE named; the rest of the blog is ignored. */
export function isSecurityPost(a: Pick<Announcement, "title" | "categories" | "cves">, allSecurity: boolean): boolean {
  if (allSecurity) return true;
  return a.cves.length > 0 || /\bsecurity\b|vulnerab/i.test(a.title) || a.categories.some((c) => /security/i.test(c));
}

export function toAnnouncement(item: Parser.Item): Announcement | undefined {
  const title = (item.title ?? "").trim();
  const link = (item.link ?? "").trim();
  const date = item.isoDate ?? (item.pubDate ? new Date(item.pubDate).toISOString() : "");
  if (!title || !/^https?:\/\//.test(link) || !date || Number.isNaN(Date.parse(date))) return undefined;
  // Mailman replaces @ with a full-width ＠ in feeds; nothing here depends on it.
  const text = `${title}\n${item.contentSnippet ?? item.content ?? item.summary ?? ""}`;
  const categories = (item.categories ?? []).map(String);
  return {
    id: item.guid ?? (item as { id?: string }).id ?? link,
    title,
    link,
    date,
    text,
    categories,
    cves: [...new Set(text.match(CVE) ?? [])],
    pythonVersions: [...new Set(text.match(PY_VERSION) ?? [])].filter(isVersion),
    mentionsPip: /\bpip\b/i.test(title),
  };
}

/** An announcement as an OSV-shaped record: CVEs become aliases, so one naming a known advisory merges into it. */
export function announcementRecord(a: Announcement, feed: string): Advisory {
  const hash = createHash("sha256").update(`${feed}|${a.id}`).digest("hex").slice(0, 12).toUpperCase();
  const pkg = (a.mentionsPip ? "pip" : "python") as NormalizedName;
  return {
    id: `PSF-ANN-${hash}`,
    modified: a.date,
    published: a.date,
    aliases: a.cves,
    related: [],
    summary: a.title.slice(0, 300),
    details: a.text.slice(0, 4000),
    severity: [],
    affected: [{ package: { ecosystem: pkg === "pip" ? "PyPI" : "CPython", name: pkg }, ranges: [], versions: pkg === "python" ? a.pythonVersions : [] }],
    references: [{ type: "ARTICLE", url: a.link }],
    database_specific: { kind: "announcement", url: a.link, feed },
  };
}

interface FeedCursor {
  readonly date: string;
  /** Ids already seen at exactly `date` (feeds may reorder entries or repeat a date). */
  readonly ids: string[];
}

function readCursor(c: string | undefined): FeedCursor | undefined {
  if (!c) return undefined;
  try {
    const v = JSON.parse(c) as FeedCursor;
    return typeof v.date === "string" && Array.isArray(v.ids) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface FeedSourceOptions {
  readonly id: string;
  readonly url: string;
  /** Every post on this feed is about security (the security-announce list). */
  readonly allSecurity: boolean;
  readonly intervalMs: number;
  readonly http: HttpClient;
  readonly log: Logger;
}

/** One RSS or Atom feed, read with rss-parser, conditional requests, cursor by date + entry id. */
export function createFeedSource(opts: FeedSourceOptions): Source {
  const parser = new Parser();
  const log = opts.log.child({ source: opts.id });
  return {
    id: opts.id,
    intervalMs: opts.intervalMs,
    async poll(state, sink, signal): Promise<PollOutcome> {
      const r = await opts.http.get(opts.url, { source: opts.id, signal, ...(state.validators[opts.url] && { validators: state.validators[opts.url] }) });
      if (r.notModified) return { ...(state.cursor && { cursor: state.cursor }), validators: state.validators, read: 0, skipped: 0 };
      const xml = await readLimited(r.body, 5 * 1024 * 1024, opts.url, opts.id);
      let feed: Parser.Output<Record<string, unknown>>;
      try {
        feed = await parser.parseString(xml);
      } catch (err) {
        throw new UpstreamError(`${opts.id}: not a readable RSS or Atom feed: ${(err as Error).message.split("\n")[0]}`, opts.id);
      }
      const items = feed.items.map(toAnnouncement);
      const valid = items.filter((a): a is Announcement => a !== undefined);
      const validators = { ...state.validators, [opts.url]: r.validators };
      const newest = valid.reduce<string | undefined>((m, a) => (m === undefined || a.date > m ? a.date : m), undefined);
      const cursor = readCursor(state.cursor);
      const nextCursor = (date: string | undefined, ids: string[]) => (date ? JSON.stringify({ date, ids } satisfies FeedCursor) : state.cursor);
      if (!cursor) {
        log.info({ entries: valid.length }, "baseline: earlier posts are not news");
        // An empty feed is a baseline too: every later post is news.
        const date = newest ?? new Date(0).toISOString();
        return { cursor: nextCursor(date, valid.filter((a) => a.date === date).map((a) => a.id))!, validators, read: 0, skipped: 0 };
      }
      const fresh = valid.filter((a) => a.date > cursor.date || (a.date === cursor.date && !cursor.ids.includes(a.id)));
      const news = fresh.filter((a) => isSecurityPost(a, opts.allSecurity)).map((a) => announcementRecord(a, opts.id));
      if (news.length) await sink(news, { seed: false, source: opts.id });
      const top = [cursor.date, ...fresh.map((a) => a.date)].sort().at(-1)!;
      const ids = [...new Set([...(top === cursor.date ? cursor.ids : []), ...valid.filter((a) => a.date === top).map((a) => a.id)])];
      return { ...(nextCursor(top, ids) && { cursor: nextCursor(top, ids)! }), validators, read: news.length, skipped: items.length - valid.length };
    },
  };
}
