import { createHmac } from "node:crypto";
import { expect } from "vitest";
import { request } from "undici";

/** POSTs a form body to the bot's /slack/events, signed as Slack signs it (v0 HMAC over `v0:ts:body`). */
export async function postSigned(url: string, secret: string, form: Record<string, unknown>, opts: { ts?: number; signWith?: string; raw?: string } = {}): Promise<{ status: number; body: string }> {
  const body = opts.raw ?? new URLSearchParams(Object.entries(form).map(([k, v]) => [k, String(v)])).toString();
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac("sha256", opts.signWith ?? secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  const res = await request(url, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-signature": sig, "x-slack-request-timestamp": String(ts) } });
  return { status: res.statusCode, body: await res.body.text() };
}

interface Element { type?: string; text?: unknown; fields?: Element[]; elements?: Element[] }

/** Every mrkdwn string in a message (top-level text is mrkdwn too). */
export function mrkdwnTexts(args: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = typeof args.text === "string" ? [args.text] : [];
  const walk = (e: Element) => {
    if (e.type === "mrkdwn" && typeof e.text === "string") out.push(e.text);
    if (e.text && typeof e.text === "object") walk(e.text as Element);
    for (const f of e.fields ?? []) walk(f);
    for (const x of e.elements ?? []) walk(x);
  };
  for (const b of (args.blocks as Element[] | undefined) ?? []) walk(b);
  return out;
}

/** Nothing from the advisory can form a Slack link, mention or broadcast. */
export function assertInertMrkdwn(args: { text?: unknown; blocks?: unknown }): void {
  for (const t of mrkdwnTexts(args)) {
    expect(t).not.toMatch(/[<>]/);
    expect(t).not.toMatch(/&(?!(amp|lt|gt);)/);
  }
}
