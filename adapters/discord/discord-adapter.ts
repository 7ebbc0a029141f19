import { Client, DiscordAPIError, GatewayIntentBits, HTTPError, RateLimitError, REST } from "discord.js";
import type { Clock } from "../../src/clock.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { RateLimiter } from "../../src/delivery/rate-limiter.js";
import { CredentialsRejectedError, errorMessage, PermanentDeliveryError, RateLimitedError } from "../../src/errors.js";
import { downloadImport } from "../../src/http/download.js";
import type { HttpServer } from "../../src/http/server.js";
import type { Logger } from "../../src/log.js";
import type { MessageRef } from "../../src/store/ports/told.js";
import { handleInteraction, type Responder } from "./interactions.js";
import { nonceFor, notificationBody, replyBody, type MessageBody } from "./render.js";
import { publicKeyFromHex, verifyDiscordSignature } from "./signature.js";
import { createReplayGuard } from "../../src/http/replay-guard.js";
import { commandDefinitions } from "./slash-commands.js";

export interface DiscordAdapterOptions {
  readonly token: string;
  readonly applicationId: string;
  /** REST base, e.g. https://discord.com/api (tests: the fake's URL). */
  readonly apiUrl: string;
  /** `gateway` (default; no public URL) or `http` (interactions at POST /discord/interactions). */
  readonly interactions: "gateway" | "http";
  readonly publicKey?: string;
  readonly http?: HttpServer;
  readonly suggest: (prefix: string) => Promise<string[]>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Attachments are downloaded only from under this URL (Discord's CDN). */
  readonly cdnUrl: string;
  /** REST retries on 5xx/network (tests set 0 so a scripted failure cannot hang). */
  readonly retries?: number;
  readonly deferAfterMs?: number;
}

// Discord error codes after which a channel will never accept our messages as things stand.
const PERMANENT_CODES = new Set([10003, 10004, 50001, 50007, 50013]);
// Rate-limit waits longer than this go back to the outbox instead of blocking the REST queue.
const MAX_QUEUED_WAIT_MS = 5_000;

/**
 * Discord's global limit, 50 requests per second per bot, kept around each send and edit: discord.js
 * counts it in fixed one-second windows, so two bursts either side of a window's end could reach
 * Discord within one second and be answered 429. Each request counts from its start until a
 * second after its answer, so however late one arrives, Discord never sees 51 within a second.
 * (Interaction answers are not bound by it.)
 */
function discordLimiter(clock: Clock): RateLimiter {
  return new RateLimiter([{ key: () => "bot", limit: 50, windowMs: 1000 }], clock);
}

export function toDeliveryError(err: unknown): unknown {
  if (err instanceof RateLimitError) return new RateLimitedError("discord", err.retryAfter);
  if (err instanceof DiscordAPIError) {
    if (PERMANENT_CODES.has(Number(err.code)) || err.status === 403 || err.status === 404) {
      return new PermanentDeliveryError("discord", `Discord refused (${err.code}): ${err.message}`);
    }
    return new Error(`Discord error ${err.status} (${err.code}): ${err.message}`);
  }
  if (err instanceof HTTPError) return new Error(`Discord HTTP ${err.status}`);
  return err;
}

function channelId(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

export interface DiscordAdapter extends ChatAdapter {
  /** Registers `/pysec` globally, or in one guild for quick testing. */
  registerCommands(guildId?: string): Promise<void>;
}

export function createDiscordAdapter(opts: DiscordAdapterOptions): DiscordAdapter {
  const log = opts.log.child({ platform: "discord" });
  const restOptions = { api: opts.apiUrl, retries: opts.retries ?? 3, rejectOnRateLimit: (r: { retryAfter: number }) => r.retryAfter > MAX_QUEUED_WAIT_MS };
  const rest = new REST(restOptions).setToken(opts.token);
  const limiter = discordLimiter(opts.clock);
  let client: Client | undefined;

  function responder(interactionId: string, token: string, answer?: (body: unknown) => void): Responder {
    return {
      async initial(body) {
        if (answer) answer(body);
        else await rest.post(`/interactions/${interactionId}/${token}/callback`, { body, auth: false });
      },
      async editOriginal(body) {
        await rest.patch(`/webhooks/${opts.applicationId}/${token}/messages/@original`, { body, auth: false });
      },
    };
  }

  async function deliver<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  return {
    platform: "discord",
    host: new URL(opts.apiUrl).host,
    capabilities: { edit: true, maxLength: 1800, idempotentSend: true, commandPrefix: "/pysec " }, // reply text, before escaping, within a 2000-character message
    async start(onCommand) {
      const download = (url: string) => downloadImport(url, { base: opts.cdnUrl, platform: "Discord" });
      const deps = { onCommand, suggest: opts.suggest, clock: opts.clock, deferAfterMs: opts.deferAfterMs ?? 2_500, download };
      if (opts.interactions === "http") {
        if (!opts.publicKey || !opts.http) throw new Error("DISCORD_INTERACTIONS=http needs DISCORD_PUBLIC_KEY and the HTTP server");
        const key = publicKeyFromHex(opts.publicKey);
        const guard = createReplayGuard(opts.clock);
        opts.http.route("POST", "/discord/interactions", async (req) => {
          const sig = req.headers["x-signature-ed25519"];
          const ts = req.headers["x-signature-timestamp"];
          // Verify before reading anything else; then refuse an old timestamp or a signature seen before.
          if (!verifyDiscordSignature(key, typeof sig === "string" ? sig : undefined, typeof ts === "string" ? ts : undefined, req.body)) {
            return { status: 401, body: "invalid request signature" };
          }
          if (guard(String(sig), Number(ts) * 1000) !== "ok") return { status: 401, body: "stale or replayed request" };
          let raw: unknown;
          try {
            raw = JSON.parse(req.body.toString("utf8"));
          } catch {
            return { status: 400, body: "not JSON" };
          }
          const parsedId = (raw as { id?: string; token?: string }) ?? {};
          let first: unknown;
          let answered: () => void = () => undefined;
          const answeredP = new Promise<void>((r) => (answered = r));
          const done = handleInteraction(raw, deps, responder(String(parsedId.id), String(parsedId.token), (body) => {
            first = body;
            answered();
          })).catch((err: unknown) => log.error({ err: (err as Error).message }, "interaction failed"));
          await Promise.race([answeredP, done]);
          return first === undefined
            ? { status: 500, body: "no response" }
            : { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(first) };
        }, { requiredHeaders: ["x-signature-ed25519", "x-signature-timestamp"] });
        return;
      }
      // A client left from a failed start (main.ts tries again) is closed first.
      await client?.destroy();
      client = new Client({ intents: [GatewayIntentBits.Guilds], rest: restOptions, allowedMentions: { parse: [] } });
      // Raw INTERACTION_CREATE packets take the same path as HTTP interactions; replies go to the callback endpoint.
      client.on("raw", (packet: { t?: string; d?: { id?: string; token?: string } }) => {
        if (packet.t !== "INTERACTION_CREATE" || !packet.d) return;
        handleInteraction(packet.d, deps, responder(String(packet.d.id), String(packet.d.token))).catch((err: unknown) =>
          log.error({ err: (err as Error).message }, "interaction failed"),
        );
      });
      await client.login(opts.token).catch((err: unknown) => {
        // discord.js: TokenInvalid for a malformed token; the REST 401 for one Discord does not take.
        const e = err as { code?: string | number; status?: number };
        if (e.code === "TokenInvalid" || e.status === 401) throw new CredentialsRejectedError("discord", "DISCORD_TOKEN", errorMessage(err));
        throw err;
      });
      log.info("connected to the Discord gateway");
    },
    async stop() {
      await client?.destroy();
    },
    async send(to, msg): Promise<MessageRef> {
      const body: MessageBody = msg.type === "notification" ? notificationBody(to, msg) : { ...replyBody(msg, false), nonce: nonceFor(to, msg.text), enforce_nonce: true };
      const res = (await limiter.around(to, () => deliver(() => rest.post(`/channels/${channelId(to)}/messages`, { body })))) as { id: string };
      return { channel: to, id: res.id };
    },
    async edit(ref, msg) {
      const { embeds, allowed_mentions } = notificationBody(ref.channel, msg);
      await limiter.around(ref.channel, () => deliver(() => rest.patch(`/channels/${channelId(ref.channel)}/messages/${ref.id}`, { body: { embeds, allowed_mentions } })));
      return ref;
    },
    async registerCommands(guildId) {
      const route = guildId ? `/applications/${opts.applicationId}/guilds/${guildId}/commands` : `/applications/${opts.applicationId}/commands`;
      await rest.put(route as `/${string}`, { body: commandDefinitions() });
    },
  };
}
