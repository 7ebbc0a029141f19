import { createHmac, timingSafeEqual } from "node:crypto";

/** What a report link names: one channel, until when. */
export interface ReportGrant {
  readonly channel: string;
  readonly expires: Date;
}

// Hex, not base64url: a link must survive every platform's markdown escaping ("_" would not).
const hex = (b: Buffer | string) => Buffer.from(b).toString("hex");

function mac(payload: string, key: string): Buffer {
  return createHmac("sha256", key).update(`pysec-herald report v1|${payload}`).digest();
}

/** `<payload>.<HMAC-SHA256>`, both hex: the channel and the expiry, signed with REPORT_SECRET. */
export function signReportToken(grant: ReportGrant, key: string): string {
  const payload = hex(JSON.stringify({ c: grant.channel, e: Math.floor(grant.expires.getTime() / 1000) }));
  return `${payload}.${hex(mac(payload, key))}`;
}

/**
 * The grant a token carries, or undefined when it is malformed, not signed with `key`, or expired:
 * the page says only "forbidden" then, whichever it was.
 */
export function verifyReportToken(token: string, key: string, now: Date): ReportGrant | undefined {
  if (token.length > 1024) return undefined;
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined || !/^[0-9a-f]+$/.test(payload) || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const given = Buffer.from(signature, "hex");
  const expected = mac(payload, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, "hex").toString("utf8"));
  } catch {
    return undefined;
  }
  const { c, e } = (body ?? {}) as { c?: unknown; e?: unknown };
  if (typeof c !== "string" || typeof e !== "number" || e * 1000 <= now.getTime()) return undefined;
  return { channel: c, expires: new Date(e * 1000) };
}
