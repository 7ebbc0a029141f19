import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Agent, request, RetryAgent, type Dispatcher } from "undici";
import { systemClock, type Clock } from "../clock.js";
import { BodyTooLargeError, UpstreamError } from "../errors.js";
import type { Validators } from "./validators.js";
import { normalizedUrl, urlUnder } from "./url-under.js";

export type Fetched =
  | { readonly notModified: true }
  | { readonly notModified: false; readonly validators: Validators; readonly body: Readable; readonly length?: number; readonly date?: Date };

export interface GetOptions {
  readonly source: string;
  readonly validators?: Validators;
  readonly signal?: AbortSignal;
  /** Extra request headers (Accept, Authorization); never logged. */
  readonly headers?: Record<string, string>;
  /** The longest the whole answer (headers and body) may take, instead of the client's deadline (all.zip's is longer). */
  readonly deadlineMs?: number;
}

/** The one way pysec-herald talks HTTP: only to configured base URLs, with timeouts and conditional requests. */
export interface HttpClient {
  get(url: string, opts: GetOptions): Promise<Fetched>;
  /** The whole body as text, refusing bodies over `maxBytes`. */
  text(url: string, opts: GetOptions & { maxBytes: number }): Promise<string | undefined>;
}

export interface HttpClientOptions {
  /** Every URL must start with one of these (the configured base URLs). */
  readonly allowedPrefixes: readonly string[];
  readonly timeoutMs: number;
  /**
   * The longest one whole answer may take, headers and body, however steadily it trickles (the
   * idle timeout above never fires for a byte every few seconds); past it the request fails as a
   * slow upstream.
   */
  readonly deadlineMs?: number;
  /** Where requests go (the retrying agent below wraps it); tests pass their own. */
  readonly dispatcher?: Dispatcher;
  /** Retries of one GET after a connection error, 429 or 5xx, before the failure reaches the poll (default 2). */
  readonly retries?: number;
  /** Longest wait between two tries, also for a Retry-After (default 5 s); a longer wait is the poll's backoff. */
  readonly maxRetryWaitMs?: number;
  /** The real present, which upstream dates (Retry-After, rate-limit resets) are measured from. */
  readonly wallClock?: Pick<Clock, "now">;
}

/** The client's deadline for one whole answer, unless the client or the request says otherwise. */
const DEFAULT_DEADLINE_MS = 120_000;

/** Failures that another try of the same GET may not meet: a dropped, reset, stalled or refused connection. */
const RETRIED_ERRORS = ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"];

/**
 * Every GET is idempotent: one 502 among 200 record fetches, or a proxy that drops the connection,
 * costs a short retry rather than the whole poll. The last answer (a 503 with its Retry-After, say)
 * still reaches the caller as it was.
 */
function retrying(inner: Dispatcher, retries: number, maxWaitMs: number): Dispatcher {
  return new RetryAgent(inner, {
    maxRetries: retries,
    minTimeout: 250,
    maxTimeout: maxWaitMs,
    timeoutFactor: 2,
    methods: ["GET"],
    statusCodes: [429, 500, 502, 503, 504],
    errorCodes: RETRIED_ERRORS,
    retryAfter: true,
    throwOnError: false,
  });
}

function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** GitHub's way of saying "wait": no requests left until x-ratelimit-reset (epoch seconds). */
function rateLimitResetMs(h: Record<string, string | string[] | undefined>, now: number): number | undefined {
  if (header(h, "x-ratelimit-remaining") !== "0") return undefined;
  const reset = Number(header(h, "x-ratelimit-reset"));
  return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) : undefined;
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The whole body as text (UTF-8, unless `decode` says how), refusing one over `maxBytes`. */
export async function readLimited(body: Readable, maxBytes: number, what: string, source: string, decode: (bytes: Buffer) => string = (b) => b.toString("utf8")): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new BodyTooLargeError(what, source, maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return decode(Buffer.concat(chunks));
}

/**
 * A configured `file:` base (a local copy of a bucket, `OSV_BUCKET_URL=file:///srv/osv`) answers
 * like a server: 404 for a missing file, 304 when the modification time is the one already seen.
 */
async function fromFile(url: string, opts: GetOptions): Promise<Fetched> {
  const path = fileURLToPath(url);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new UpstreamError(`${path}: no such file`, opts.source, 404);
  const lastModified = info.mtime.toUTCString();
  if (opts.validators?.lastModified === lastModified && !opts.validators.etag) return { notModified: true };
  return { notModified: false, validators: { lastModified }, body: createReadStream(path), length: info.size };
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  // A configured URL may be a base (anything below it) or one file (exactly it).
  const exact = new Set(options.allowedPrefixes.map(normalizedUrl));
  const now = () => (options.wallClock ?? systemClock).now();
  const dispatcher = retrying(options.dispatcher ?? new Agent(), options.retries ?? 2, options.maxRetryWaitMs ?? 5_000);

  async function get(requested: string, opts: GetOptions): Promise<Fetched> {
    // Checked, and fetched, as normalised: what is checked is what is requested.
    const whole = normalizedUrl(requested);
    const url = options.allowedPrefixes.map((p) => urlUnder(requested, p)).find((u) => u !== undefined) ?? (whole !== undefined && exact.has(whole) ? whole : undefined);
    if (url === undefined) throw new UpstreamError(`refusing to fetch ${requested}: not under a configured base URL`, opts.source);
    if (url.startsWith("file:")) return fromFile(url, opts);
    const headers: Record<string, string> = { "user-agent": "pysec-herald", accept: "*/*", ...opts.headers };
    if (opts.validators?.etag) headers["if-none-match"] = opts.validators.etag;
    if (opts.validators?.lastModified) headers["if-modified-since"] = opts.validators.lastModified;
    const deadlineMs = opts.deadlineMs ?? options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const slow = new AbortController();
    // The reason is what a reader of the body meets, so it says what happened.
    const deadline = setTimeout(() => slow.abort(new UpstreamError(`GET ${url}: no complete answer within ${Math.round(deadlineMs / 1000)} s (a slow upstream)`, opts.source)), deadlineMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: "GET",
        headers,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        signal: opts.signal ? AbortSignal.any([opts.signal, slow.signal]) : slow.signal,
        dispatcher,
      });
    } catch (err) {
      clearTimeout(deadline);
      if (slow.signal.aborted) throw slow.signal.reason as UpstreamError;
      throw new UpstreamError(`GET ${url} failed: ${(err as Error).message}`, opts.source);
    }
    res.body.once("close", () => clearTimeout(deadline));
    if (res.statusCode === 304) {
      res.body.resume();
      return { notModified: true };
    }
    if (res.statusCode >= 400) {
      res.body.resume();
      throw new UpstreamError(`GET ${url}: HTTP ${res.statusCode}`, opts.source, res.statusCode, retryAfterMs(res.headers["retry-after"], now().getTime()) ?? rateLimitResetMs(res.headers, now().getTime()));
    }
    const etag = header(res.headers, "etag");
    const lastModified = header(res.headers, "last-modified");
    const length = Number(header(res.headers, "content-length"));
    // The server's own clock (its Date header), for "not in the future by the server's clock".
    const date = new Date(header(res.headers, "date") ?? Number.NaN);
    return {
      notModified: false,
      validators: { ...(etag && { etag }), ...(lastModified && { lastModified }) },
      body: res.body,
      ...(Number.isFinite(length) && { length }),
      ...(!Number.isNaN(date.getTime()) && { date }),
    };
  }

  const retries = options.retries ?? 2;

  return {
    get,
    // A body cut off, stalled or reset mid-way cannot be resumed (no Range support assumed): a whole
    // text is small, so it is fetched again, as often as a failed connection would be.
    async text(url, opts) {
      for (let attempt = 0; ; attempt++) {
        const r = await get(url, opts);
        if (r.notModified) return undefined;
        try {
          return await readLimited(r.body, opts.maxBytes, url, opts.source);
        } catch (err) {
          if (err instanceof UpstreamError) throw err;
          if (attempt >= retries || opts.signal?.aborted) throw new UpstreamError(`GET ${url}: body: ${(err as Error).message}`, opts.source);
        }
      }
    },
  };
}
