import { createHash } from "node:crypto";
import { startFakeServer, type FakeServer } from "./fake-server.js";

export interface FeedEntry {
  readonly id: string;
  readonly title: string;
  readonly link: string;
  readonly date: string;
  readonly body: string;
  readonly categories?: string[];
}

export interface FakeFeeds extends FakeServer {
  /** Serves these entries at `path` as RSS 2.0 or Atom (in the given order). */
  set(path: string, format: "rss" | "atom", entries: readonly FeedEntry[]): void;
  /** Serves raw text at `path` (a malformed feed). */
  setRaw(path: string, text: string): void;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function rss(entries: readonly FeedEntry[]): string {
  const items = entries.map((e) => `<item><title>${esc(e.title)}</title><link>${esc(e.link)}</link><guid isPermaLink="false">${esc(e.id)}</guid><pubDate>${new Date(e.date).toUTCString()}</pubDate><description>${esc(e.body)}</description>${(e.categories ?? []).map((c) => `<category>${esc(c)}</category>`).join("")}</item>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>feed</title><link>https://example.invalid/</link><description>d</description>${items.join("")}</channel></rss>`;
}

function atom(entries: readonly FeedEntry[]): string {
  const items = entries.map((e) => `<entry><id>${esc(e.id)}</id><title>${esc(e.title)}</title><link href="${esc(e.link)}"/><updated>${e.date}</updated><published>${e.date}</published><content type="html">${esc(e.body)}</content>${(e.categories ?? []).map((c) => `<category term="${esc(c)}"/>`).join("")}</entry>`);
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>feed</title><id>urn:feed</id><updated>2026-11-25T00:00:00Z</updated>${items.join("")}</feed>`;
}

/** The PSF's two feeds (security-announce list, Python Insider blog) on 127.0.0.1, with ETag and 304. */
export async function startFakeFeeds(): Promise<FakeFeeds> {
  const bodies = new Map<string, string>();
  const server = await startFakeServer((req, res) => {
    const body = bodies.get((req.url ?? "").split("?")[0]!);
    if (body === undefined) return res.writeHead(404).end("not found");
    const etag = `"${createHash("sha1").update(body).digest("hex")}"`;
    if (req.headers["if-none-match"] === etag) return res.writeHead(304, { etag }).end();
    return res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", etag }).end(body);
  });
  return {
    ...server,
    set: (path, format, entries) => bodies.set(path, format === "rss" ? rss(entries) : atom(entries)),
    setRaw: (path, text) => bodies.set(path, text),
  };
}
