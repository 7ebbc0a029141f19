import { expect } from "vitest";
import { createSlackAdapter } from "../../adapters/slack/slack-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { slashPayload, startFakeSlack } from "../fakes/slack-api.js";
import { assertInertMrkdwn, postSigned } from "../helpers/slack.js";
import { chatAdapterContract } from "./chat-adapter.contract.js";

const SECRET = "signing-secret-for-tests";

interface Args { text?: string; blocks?: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string | { text: string } }[] }[] }

chatAdapterContract("slack", async () => {
  const fake = await startFakeSlack();
  const log = createLogger("silent");
  const http = createHttpServer(log);
  const adapter = createSlackAdapter({ botToken: "xoxb-test", signingSecret: SECRET, http, apiUrl: fake.api, filesUrl: fake.files, managers: "members", clock: systemClock, log, retries: 0 });
  let url = "";
  return {
    adapter,
    channel: "slack:C123",
    async start(onCommand) {
      await adapter.start(onCommand);
      url = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}/slack/events`;
    },
    sent: () => fake.posts().map((c) => JSON.stringify(c.args)),
    edited: () => fake.calls.filter((c) => c.method === "chat.update").map((c) => JSON.stringify(c.args)),
    assertWithinLimits(p) {
      const a = JSON.parse(p) as Args;
      expect(a.blocks!.length).toBeLessThanOrEqual(50);
      for (const b of a.blocks!) {
        if (b.type === "header") expect(b.text!.text.length).toBeLessThanOrEqual(150);
        if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
        expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
        for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
        for (const e of b.elements ?? []) {
          const t = typeof e.text === "string" ? e.text : (e.text?.text ?? "");
          expect(t.length).toBeLessThanOrEqual(b.type === "actions" ? 75 : 2000);
        }
      }
    },
    assertInert: (p) => assertInertMrkdwn(JSON.parse(p) as Args),
    rateLimitNext: (s) => fake.rateLimitNext(s),
    permanentlyFailing() {
      fake.failing.set("C999", "channel_not_found");
      return "slack:C999";
    },
    async command(text) {
      const r = await postSigned(url, SECRET, slashPayload(text, "C123", "U1", fake.url));
      const body = JSON.parse(r.body) as Args;
      return body.text ?? "";
    },
    async close() {
      await adapter.stop();
      await http.close();
      await fake.close();
    },
  };
});
