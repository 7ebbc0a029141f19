/** The longest any upstream or platform may make us wait (Retry-After, rate-limit resets): an hour. */
export const MAX_WAIT_MS = 3_600_000;

/** A wait someone asked for, within [0, MAX_WAIT_MS] (a huge or negative one is not obeyed as given). */
export function cappedWait(ms: number): number {
  return Number.isFinite(ms) ? Math.min(MAX_WAIT_MS, Math.max(0, ms)) : MAX_WAIT_MS;
}

/** An upstream (advisory source) answered badly or not at all. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly source: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, source: string, status?: number, retryAfterMs?: number) {
    const capped = retryAfterMs === undefined ? undefined : cappedWait(retryAfterMs);
    super(capped !== undefined && capped !== retryAfterMs ? `${message} (asked to wait ${Math.round(retryAfterMs! / 1000)} s; waiting at most ${MAX_WAIT_MS / 1000} s)` : message);
    this.source = source;
    this.status = status;
    this.retryAfterMs = capped;
  }
}

/** "4 MB", "512 KB", "900 bytes": a size limit as people read it (binary units). */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** A body over the size the client takes: it will be over it on every try, so it is never retried. */
export class BodyTooLargeError extends UpstreamError {
  override name = "BodyTooLargeError";
  readonly limitBytes: number;
  constructor(what: string, source: string, limitBytes: number) {
    super(`${what} is larger than ${formatBytes(limitBytes)}`, source);
    this.limitBytes = limitBytes;
  }
  /** Why a record of this size is passed over, without the URL. */
  get reason(): string {
    return `larger than ${formatBytes(this.limitBytes)}`;
  }
}

/**
 * A platform refused the credentials the bot was given (a revoked token, a typo): trying again
 * changes nothing until the variable does, so the platform stays off and says which variable.
 */
export class CredentialsRejectedError extends Error {
  override name = "CredentialsRejectedError";
  readonly platform: string;
  readonly variable: string;
  constructor(platform: string, variable: string, detail: string) {
    super(`${platform} rejected ${variable} (${detail})`);
    this.platform = platform;
    this.variable = variable;
  }
}

/** A chat platform asked us to slow down. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  readonly platform: string;
  readonly retryAfterMs: number;
  constructor(platform: string, retryAfterMs: number) {
    const capped = cappedWait(retryAfterMs);
    super(`${platform} rate limited: retry after ${capped} ms${capped !== retryAfterMs ? ` (asked for ${retryAfterMs} ms; capped)` : ""}`);
    this.platform = platform;
    this.retryAfterMs = capped;
  }
}

/** A delivery that will never succeed as things stand (channel gone, bot removed, forbidden). */
export class PermanentDeliveryError extends Error {
  override name = "PermanentDeliveryError";
  readonly platform: string;
  constructor(platform: string, message: string) {
    super(message);
    this.platform = platform;
  }
}

/** The platform moved the chat (a Telegram group became a supergroup): the subscription moves with it. */
export class ChannelMovedError extends Error {
  override name = "ChannelMovedError";
  readonly from: string;
  readonly to: string;
  constructor(from: string, to: string) {
    super(`chat ${from} moved to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** Bad input from a person; the message is shown to them as is. */
export class UserInputError extends Error {
  override name = "UserInputError";
}

/** The platform cannot do this (e.g. edit on the console). */
export class NotSupportedError extends Error {
  override name = "NotSupportedError";
  readonly feature: string;
  constructor(feature: string) {
    super(`not supported: ${feature}`);
    this.feature = feature;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
