import { expect } from "vitest";
import { createTelegramAdapter } from "../../adapters/telegram/telegram-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createLogger } from "../../src/log.js";
import { FAKE_BOT, startFakeTelegram, textUpdate } from "../fakes/telegram-api.js";
import { assertOwnHtmlOnly } from "../helpers/telegram.js";
import { commandNamed, telegramName } from "../../src/commands/table.js";
import { chatAdapterContract } from "./chat-adapter.contract.js";

const CHAT = 42;

chatAdapterContract("telegram", async () => {
  const fake = await startFakeTelegram();
  const adapter = createTelegramAdapter({ token: fake.token, apiRoot: fake.url, clock: systemClock, log: createLogger("silent"), botInfo: FAKE_BOT, pollTimeoutSeconds: 1 });
  const text = (c: { body: Record<string, unknown> }) => String(c.body["text"]);
  return {
    adapter,
    channel: `telegram:${CHAT}`,
    start: (onCommand) => adapter.start(onCommand),
    sent: () => fake.sent().map(text),
    edited: () => fake.calls.filter((c) => c.method === "editMessageText").map(text),
    assertWithinLimits(p) {
      expect(p.length).toBeGreaterThan(0);
      expect(p.length).toBeLessThanOrEqual(4096);
    },
    assertInert: assertOwnHtmlOnly,
    rateLimitNext: (s) => fake.rateLimitNextSend(s),
    permanentlyFailing() {
      fake.blocked.add(99);
      return "telegram:99";
    },
    async command(t) {
      const before = fake.sent(CHAT).length;
      // As a Telegram user writes it: /digest, /all_clear.
      const [name = "", ...rest] = t.split(" ");
      const spec = commandNamed(name);
      fake.pushUpdate(textUpdate(`/${[spec ? telegramName(spec) : name, ...rest].join(" ")}`, CHAT, CHAT));
      for (let i = 0; i < 200 && fake.sent(CHAT).length === before; i++) await new Promise((r) => setTimeout(r, 10));
      return fake.sent(CHAT).slice(before).map(text).join("\n");
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
});
