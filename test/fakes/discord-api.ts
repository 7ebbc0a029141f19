import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { startFakeServer, WindowCounter, type FakeServer } from "./fake-server.js";

export interface DiscordCall {
  readonly method: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface FakeDiscord extends FakeServer {
  /** REST base to give the client (`…/api`). */
  readonly api: string;
  readonly calls: DiscordCall[];
  /** Channel ids that answer 404 Unknown Channel (10003) or 403 Missing Access (50001). */
  readonly unknownChannels: Set<string>;
  readonly forbiddenChannels: Set<string>;
  /** Bot tokens Discord no longer takes (reset in the Developer Portal): 401 Unauthorized. */
  readonly revoked: Set<string>;
  /** Sends an INTERACTION_CREATE over the gateway to every identified connection. */
  dispatchInteraction(d: Record<string, unknown>): void;
  /** Files served under /attachments/<name> (Discord's CDN, for uploaded dependency files). */
  readonly attachments: Map<string, string>;
  /** Resolves once a client has identified on the gateway. */
  identified(): Promise<void>;
  messages(channelId?: string): DiscordCall[];
  /** Messages created with `enforce_nonce`, by "<channel>|<nonce>": a repeat create returns the first (Discord's de-duplication). */
  readonly byNonce: ReadonlyMap<string, Record<string, unknown>>;
}

const APP_ID = "100000000000000001";

/** Discord's REST API (the parts pysec-herald uses) and a minimal gateway over ws, on 127.0.0.1. */
export async function startFakeDiscord(opts: { enforceLimits?: boolean } = {}): Promise<FakeDiscord> {
  // Discord's documented global limit: 50 requests per second per bot.
  const global = new WindowCounter(50, 1000);
  const calls: DiscordCall[] = [];
  const unknownChannels = new Set<string>();
  const revoked = new Set<string>();
  const forbiddenChannels = new Set<string>();
  let nextId = 1_000;
  const byNonce = new Map<string, Record<string, unknown>>();
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let onIdentify: () => void = () => undefined;
  const identifiedP = new Promise<void>((r) => (onIdentify = r));

  wss.on("connection", (ws) => {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (msg.op === 1) ws.send(JSON.stringify({ op: 11 }));
      if (msg.op === 2) {
        sockets.add(ws);
        ws.send(JSON.stringify({
          op: 0, t: "READY", s: ++seq,
          d: { v: 10, user: { id: APP_ID, username: "pysec-herald", discriminator: "0", bot: true }, guilds: [], session_id: "fake-session", resume_gateway_url: wsUrl, application: { id: APP_ID, flags: 0 }, shard: [0, 1] },
        }));
        onIdentify();
      }
    });
    ws.on("close", () => sockets.delete(ws));
  });

  const json = (res: import("node:http").ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const attachments = new Map<string, string>();
  const server = await startFakeServer((req, res, text) => {
    const file = /^\/attachments\/(.+)$/.exec((req.url ?? "").split("?")[0]!);
    if (file) {
      const body = attachments.get(decodeURIComponent(file[1]!));
      return body === undefined ? res.writeHead(404).end() : res.writeHead(200, { "content-type": "text/plain" }).end(body);
    }
    const path = (req.url ?? "/").split("?")[0]!.replace(/^\/api\/v10/, "");
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    calls.push({ method: req.method ?? "GET", path, body });
    if (revoked.has(String(req.headers.authorization ?? "").replace(/^Bot /, ""))) return json(res, 401, { message: "401: Unauthorized", code: 0 });
    if (req.method === "GET" && path === "/gateway/bot") {
      return json(res, 200, { url: wsUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } });
    }
    const channel = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(path);
    if (channel) {
      const id = channel[1]!;
      if (opts.enforceLimits && !global.take("bot")) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "1", "x-ratelimit-global": "true", "x-ratelimit-scope": "global" });
        return res.end(JSON.stringify({ message: "You are being rate limited.", retry_after: 1, global: true }));
      }
      if (unknownChannels.has(id)) return json(res, 404, { message: "Unknown Channel", code: 10003 });
      if (forbiddenChannels.has(id)) return json(res, 403, { message: "Missing Access", code: 50001 });
      const nonceKey = req.method === "POST" && body["enforce_nonce"] === true && typeof body["nonce"] === "string" ? `${id}|${body["nonce"]}` : undefined;
      const prior = nonceKey && byNonce.get(nonceKey);
      if (prior) return json(res, 200, prior);
      const message = { id: channel[2] ?? String(++nextId), channel_id: id, ...body };
      if (nonceKey) byNonce.set(nonceKey, message);
      return json(res, 200, message);
    }
    if (/^\/interactions\/[^/]+\/[^/]+\/callback$/.test(path)) return json(res, 200, {});
    if (/^\/webhooks\/[^/]+\/[^/]+\/messages\/@original$/.test(path)) return json(res, 200, { id: String(++nextId), ...body });
    if (req.method === "PUT" && /^\/applications\/[^/]+(\/guilds\/[^/]+)?\/commands$/.test(path)) return json(res, 200, body);
    return json(res, 404, { message: "404: Not Found", code: 0 });
  });

  return {
    ...server,
    api: `${server.url}/api`,
    calls,
    byNonce,
    attachments,
    unknownChannels,
    forbiddenChannels,
    revoked,
    dispatchInteraction(d) {
      for (const ws of sockets) ws.send(JSON.stringify({ op: 0, t: "INTERACTION_CREATE", s: ++seq, d: { application_id: APP_ID, version: 1, ...d } }));
    },
    identified: () => identifiedP,
    messages: (channelId) => calls.filter((c) => c.method === "POST" && /^\/channels\/\d+\/messages$/.test(c.path) && (!channelId || c.path === `/channels/${channelId}/messages`)),
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await server.close();
    },
  };
}

export const FAKE_DISCORD_APP_ID = APP_ID;
