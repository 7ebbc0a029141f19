import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { startFakeServer, type FakeServer } from "./fake-server.js";

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

export interface FakeSlack extends FakeServer {
  /** Web API base for the client (`…/api/`). */
  readonly api: string;
  /** Base of shared files' url_private; downloads need the bot token. */
  readonly files: string;
  /** Shared files by path below `files`. */
  readonly stored: Map<string, string>;
  /** Authorization headers the file server saw. */
  readonly fileAuth: string[];
  /** Delivers an Events API event over Socket Mode and resolves with the client's ack. */
  event(event: Record<string, unknown>): Promise<Record<string, unknown>>;
  readonly calls: SlackCall[];
  readonly admins: Set<string>;
  /** Channels the bot is a member of (conversations.info). */
  readonly memberOf: Set<string>;
  /** Channels that answer chat.postMessage with this error. */
  readonly failing: Map<string, string>;
  /** Bot tokens Slack no longer takes (revoked, or a typo): every call answers invalid_auth. */
  readonly revoked: Set<string>;
  rateLimitNext(seconds: number): void;
  /** Delivers a slash command over Socket Mode and resolves with the client's ack. */
  slashCommand(payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Resolves once a Socket Mode client has connected. */
  connected(): Promise<void>;
  /** Bodies POSTed to response URLs. */
  readonly responses: Record<string, unknown>[];
  posts(channel?: string): SlackCall[];
}

function parseArgs(text: string, type: string | undefined): Record<string, unknown> {
  if (type?.startsWith("application/json")) return JSON.parse(text || "{}") as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v; // web-api JSON-encodes non-scalar arguments
  }
  return out;
}

/** Slack's Web API (the methods pysec-herald uses), a response_url sink and a Socket Mode WebSocket, on 127.0.0.1. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const responses: Record<string, unknown>[] = [];
  const admins = new Set<string>();
  const memberOf = new Set<string>();
  const failing = new Map<string, string>();
  const revoked = new Set<string>();
  const stored = new Map<string, string>();
  const fileAuth: string[] = [];
  let retryAfter: number | undefined;
  // Message timestamps as Slack makes them: Unix seconds with a unique fraction.
  let last = 0;
  const nextTs = (): string => {
    last = Math.max(last + 1, Date.now() * 1000);
    return `${Math.floor(last / 1e6)}.${String(last % 1e6).padStart(6, "0")}`;
  };
  /** Every message posted, per channel, with its metadata (conversations.history). */
  const history = new Map<string, { ts: string; text: unknown; metadata?: unknown }[]>();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link`;
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (msg: Record<string, unknown>) => void>();
  let onConnect: () => void = () => undefined;
  const connectedP = new Promise<void>((r) => (onConnect = r));
  let envelope = 0;

  wss.on("connection", (ws) => {
    sockets.add(ws);
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake", approximate_connection_time: 18060 }, connection_info: { app_id: "A1" } }));
    ws.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as Record<string, unknown>;
      const id = String(msg["envelope_id"] ?? "");
      acks.get(id)?.(msg);
      acks.delete(id);
    });
    ws.on("close", () => sockets.delete(ws));
    onConnect();
  });

  const deliver = (type: string, payload: Record<string, unknown>) => {
    const id = `env-${++envelope}`;
    const acked = new Promise<Record<string, unknown>>((resolve) => acks.set(id, resolve));
    for (const ws of sockets) ws.send(JSON.stringify({ envelope_id: id, type, accepts_response_payload: type === "slash_commands", payload }));
    return acked;
  };

  const json = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

  const server = await startFakeServer((req, res, text) => {
    const path = (req.url ?? "").split("?")[0]!;
    if (path.startsWith("/response/")) {
      responses.push(JSON.parse(text) as Record<string, unknown>);
      return json(res, { ok: true });
    }
    if (path.startsWith("/files/")) {
      const auth = String(req.headers.authorization ?? "");
      fileAuth.push(auth);
      const body = stored.get(path.slice("/files/".length));
      // Slack answers a request without a valid token with its HTML sign-in page, status 200.
      if (auth !== "Bearer xoxb-test") return res.writeHead(200, { "content-type": "text/html" }).end("<html>sign in</html>");
      if (body === undefined) return res.writeHead(404).end();
      return res.writeHead(200, { "content-type": "text/plain" }).end(body);
    }
    const method = path.replace(/^\/api\//, "");
    const args = parseArgs(text, req.headers["content-type"]);
    calls.push({ method, args });
    const bearer = String(req.headers.authorization ?? "").replace(/^Bearer /, "") || String(args["token"] ?? "");
    if (revoked.has(bearer)) return json(res, { ok: false, error: "invalid_auth" });
    const channel = String(args["channel"] ?? "");
    switch (method) {
      case "auth.test":
        return json(res, { ok: true, url: "https://fake.slack/", team: "Fake", user: "pysec", team_id: "T1", user_id: "UBOT", bot_id: "BBOT" });
      case "apps.connections.open":
        return json(res, { ok: true, url: wsUrl });
      case "users.info": {
        const user = String(args["user"]);
        return json(res, { ok: true, user: { id: user, is_admin: admins.has(user), is_owner: false, is_primary_owner: false } });
      }
      case "conversations.info":
        return json(res, { ok: true, channel: { id: channel, is_member: memberOf.has(channel) } });
      case "chat.postEphemeral":
        return json(res, { ok: true, message_ts: nextTs() });
      case "chat.postMessage":
      case "chat.update": {
        if (retryAfter !== undefined) {
          const s = retryAfter;
          retryAfter = undefined;
          return json(res, { ok: false, error: "ratelimited" }, 429, { "retry-after": String(s) });
        }
        const error = failing.get(channel);
        if (error) return json(res, { ok: false, error });
        const at = method === "chat.update" ? String(args["ts"]) : nextTs();
        if (method === "chat.postMessage") history.set(channel, [...(history.get(channel) ?? []), { ts: at, text: args["text"], ...(args["metadata"] !== undefined && { metadata: args["metadata"] }) }]);
        return json(res, { ok: true, channel, ts: at, message: { text: args["text"] } });
      }
      case "conversations.history": {
        // Newest first, from `oldest` on; metadata only with include_all_metadata, as Slack does.
        const oldest = Number(args["oldest"] ?? 0);
        const withMeta = String(args["include_all_metadata"]) === "true";
        const messages = (history.get(channel) ?? []).filter((m) => Number(m.ts) >= oldest).reverse().map(({ metadata, ...m }) => ({ type: "message", ...m, ...(withMeta && metadata !== undefined && { metadata }) }));
        return json(res, { ok: true, messages: messages.slice(0, Number(args["limit"] ?? 100)), has_more: messages.length > Number(args["limit"] ?? 100) });
      }
      default:
        return json(res, { ok: false, error: "unknown_method" });
    }
  });

  return {
    ...server,
    api: `${server.url}/api/`,
    files: `${server.url}/files/`,
    stored,
    fileAuth,
    calls,
    admins,
    memberOf,
    failing,
    revoked,
    responses,
    rateLimitNext(seconds) {
      retryAfter = seconds;
    },
    connected: () => connectedP,
    slashCommand: (payload) => deliver("slash_commands", payload),
    event: (event) => deliver("events_api", { token: "deprecated", team_id: "T1", api_app_id: "A1", type: "event_callback", event_id: `Ev${envelope}`, event_time: 1_700_000_000, event }),
    posts: (channel) => calls.filter((c) => c.method === "chat.postMessage" && (!channel || c.args["channel"] === channel)),
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await server.close();
    },
  };
}

/** The slash-command payload Slack sends for `/pysec <text>`. */
export function slashPayload(text: string, channel: string, user: string, responseBase: string): Record<string, unknown> {
  return {
    token: "deprecated", team_id: "T1", team_domain: "fake", channel_id: channel, channel_name: "security", user_id: user, user_name: "u",
    command: "/pysec", text, api_app_id: "A1", is_enterprise_install: "false", response_url: `${responseBase}/response/${Date.now()}`, trigger_id: "t.1",
  };
}
