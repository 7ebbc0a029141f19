import { expect } from "vitest";
import { createDiscordAdapter } from "../../adapters/discord/discord-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { startFakeDiscord } from "../fakes/discord-api.js";
import { commandInteraction, discordTestKeys, postInteraction } from "../helpers/discord.js";
import { chatAdapterContract } from "./chat-adapter.contract.js";

const CHANNEL_ID = "200000000000000002";

interface Body {
  content?: string;
  allowed_mentions?: { parse: string[] };
  embeds?: { title: string; description?: string; fields: { name: string; value: string }[]; footer?: { text: string } }[];
}

function texts(b: Body): string[] {
  return [b.content ?? "", ...(b.embeds ?? []).flatMap((e) => [e.title, e.description ?? "", ...e.fields.flatMap((f) => [f.name, f.value])])];
}

chatAdapterContract("discord", async () => {
  const fake = await startFakeDiscord();
  const keys = discordTestKeys();
  const log = createLogger("silent");
  const http = createHttpServer(log);
  const adapter = createDiscordAdapter({
    token: "test-token", applicationId: "100000000000000001", apiUrl: fake.api, cdnUrl: fake.url, interactions: "http", publicKey: keys.publicKeyHex,
    http, suggest: async () => [], clock: systemClock, log, retries: 0,
  });
  let url = "";
  return {
    adapter,
    channel: `discord:${CHANNEL_ID}`,
    async start(onCommand) {
      await adapter.start(onCommand);
      url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/discord/interactions`;
    },
    sent: () => fake.messages().map((c) => JSON.stringify(c.body)),
    edited: () => fake.calls.filter((c) => c.method === "PATCH" && c.path.startsWith("/channels/")).map((c) => JSON.stringify(c.body)),
    assertWithinLimits(p) {
      const b = JSON.parse(p) as Body;
      expect((b.content ?? "").length).toBeLessThanOrEqual(2000);
      let total = 0;
      for (const e of b.embeds ?? []) {
        expect(e.title.length).toBeLessThanOrEqual(256);
        expect((e.description ?? "").length).toBeLessThanOrEqual(4096);
        expect(e.fields.length).toBeLessThanOrEqual(25);
        for (const f of e.fields) {
          expect(f.name.length).toBeLessThanOrEqual(256);
          expect(f.value.length).toBeLessThanOrEqual(1024);
        }
        total += e.title.length + (e.description ?? "").length + (e.footer?.text.length ?? 0) + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
      }
      expect(total).toBeLessThanOrEqual(6000);
    },
    assertInert(p) {
      const b = JSON.parse(p) as Body;
      expect(b.allowed_mentions).toEqual({ parse: [] });
      for (const t of texts(b)) {
        expect(t).not.toMatch(/@(?!\u200b)/); // every @ is broken: @everyone, @here, <@id> cannot form
        // no mention, channel or emoji syntax; only the advisory's vetted reference URLs in <…> (no preview)
        expect(t).not.toMatch(/(?<!\\)<(?!https?:\/\/[^\s<>()[\]"'`|\\]+>)/);
        expect(t).not.toMatch(/(?<!\\)\[[^\]]*\]\((?!https:\/\/osv\.dev\/)/); // no masked link but our own
        expect(t).not.toMatch(/(?<!\\)(\*\*|__|~~|\|\||`)/);
        expect(t).not.toContain("javascript:");
      }
    },
    rateLimitNext(seconds) {
      fake.fault("/messages", { kind: "status", status: 429, retryAfter: seconds });
    },
    permanentlyFailing() {
      fake.unknownChannels.add("999");
      return "discord:999";
    },
    async command(text) {
      const r = await postInteraction(url, commandInteraction(text, { channel: CHANNEL_ID, guild: "400000000000000004", permissions: "16" }), keys.privateKey);
      return String((r.json?.["data"] as { content?: string } | undefined)?.content ?? "");
    },
    async close() {
      await adapter.stop();
      await http.close();
      await fake.close();
    },
  };
});
