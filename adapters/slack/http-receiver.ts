import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { isValidSlackRequest } from "@slack/bolt";
import type { Clock } from "../../src/clock.js";
import { createReplayGuard } from "../../src/http/replay-guard.js";
import type { HttpServer, HttpResponse } from "../../src/http/server.js";

/** Slack wants an answer within 3 s; an event Bolt never acknowledges still gets one. */
const ACK_WITHIN_MS = 2_500;

/**
 * Bolt receiver on the bot's one HTTP server: POST /slack/events. Bolt's own check verifies
 * X-Slack-Signature and refuses timestamps older than five minutes; on top of it a signature
 * already seen within that window is a replay and is refused too.
 */
export class SharedHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly guard: ReturnType<typeof createReplayGuard>;
  private readonly http: HttpServer;
  private readonly signingSecret: string;
  private readonly clock: Clock;

  constructor(http: HttpServer, signingSecret: string, clock: Clock) {
    this.http = http;
    this.signingSecret = signingSecret;
    this.clock = clock;
    this.guard = createReplayGuard(clock);
  }

  init(app: App): void {
    this.app = app;
    this.http.route("POST", "/slack/events", (req) => this.handle(req.headers, req.body.toString("utf8")), { requiredHeaders: ["x-slack-signature", "x-slack-request-timestamp"] });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  private async handle(headers: Record<string, string | string[] | undefined>, raw: string): Promise<HttpResponse> {
    const signature = String(headers["x-slack-signature"] ?? "");
    const timestamp = Number(headers["x-slack-request-timestamp"]);
    const now = this.clock.now().getTime();
    const valid = isValidSlackRequest({ signingSecret: this.signingSecret, body: raw, headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp }, nowMilliseconds: now });
    if (!valid || this.guard(signature, timestamp * 1000) !== "ok") return { status: 401, body: "invalid request" };
    const type = String(headers["content-type"] ?? "");
    let body: Record<string, unknown>;
    try {
      if (type.startsWith("application/json")) body = JSON.parse(raw) as Record<string, unknown>;
      else {
        const form = Object.fromEntries(new URLSearchParams(raw));
        body = typeof form["payload"] === "string" ? (JSON.parse(form["payload"]) as Record<string, unknown>) : form;
      }
    } catch {
      return { status: 400, body: "not JSON" };
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return { status: 400, body: "not an event" };
    if (body["type"] === "url_verification") return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ challenge: body["challenge"] }) };
    let answer: HttpResponse | undefined;
    const acked = new Promise<void>((resolve) => {
      const event: ReceiverEvent = {
        body,
        ack: async (response?: unknown) => {
          answer = response === undefined || response === ""
            ? { status: 200, body: "" }
            : { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(response) };
          resolve();
        },
      };
      this.app!.processEvent(event).catch(() => resolve());
    });
    const timer = new AbortController();
    await Promise.race([acked, this.clock.sleep(ACK_WITHIN_MS, timer.signal)]);
    timer.abort();
    // Nothing handles this payload (a button, say): acknowledged empty, so Slack does not retry it.
    if (!answer) return { status: 200, body: "" };
    return answer ?? { status: 500, body: "not acknowledged" };
  }
}
