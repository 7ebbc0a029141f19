import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IncomingCommand } from "../../src/commands/execute.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { NotSupportedError, PermanentDeliveryError, RateLimitedError } from "../../src/errors.js";
import { parseCommand } from "../../src/commands/parse.js";
import { COMMAND_TABLE } from "../../src/commands/table.js";
import { reply } from "../../src/render/notification.js";
import { COMMAND_SAMPLES } from "./command-samples.js";
import { hostileNotification, realNotification } from "../helpers/notifications.js";

/** What the contract needs from one platform's adapter and its fake. */
export interface ContractHarness {
  readonly adapter: ChatAdapter;
  /** A channel the fake accepts messages for. */
  readonly channel: string;
  /** Starts the adapter (and whatever receives its inbound commands). */
  start(onCommand: (cmd: IncomingCommand) => Promise<ReturnType<typeof reply>>): Promise<void>;
  /** Payloads the fake received for new messages, newest last, as the raw text that went over the wire. */
  sent(): string[];
  /** Payloads of edits the fake received. */
  edited(): string[];
  /** The platform's hard limits hold for this payload (throws with a reason otherwise). */
  assertWithinLimits(payload: string): void;
  /** Nothing in this payload can ping anyone or render markup from the advisory text (throws otherwise). */
  assertInert(payload: string): void;
  /** Makes the next send answer 429 naming `seconds`; absent where the platform has no rate limit (console). */
  readonly rateLimitNext?: (seconds: number) => void;
  /** A channel key the fake refuses permanently (channel gone, bot removed). */
  permanentlyFailing(): string;
  /** Sends a command as a user of the platform would, and returns the reply text the fake saw. */
  command(text: string): Promise<string>;
  close(): Promise<void>;
}

/** One suite every ChatAdapter must pass against its platform's fake. */
export function chatAdapterContract(name: string, make: () => Promise<ContractHarness>): void {
  describe(`ChatAdapter contract: ${name}`, () => {
    let h: ContractHarness;
    const seen: IncomingCommand[] = [];

    beforeEach(async () => {
      h = await make();
      seen.length = 0;
      await h.start(async (cmd) => {
        seen.push(cmd);
        return reply(`pong: ${cmd.text}`);
      });
    });
    afterEach(async () => h.close());

    it("every command of the table reaches the core as the same command, and its answer comes back", async () => {
      expect(Object.keys(COMMAND_SAMPLES).sort()).toEqual(COMMAND_TABLE.map((c) => c.name).sort());
      for (const text of Object.values(COMMAND_SAMPLES)) {
        const before = seen.length;
        const answer = await h.command(text);
        expect(seen.length, text).toBe(before + 1);
        expect(parseCommand(seen.at(-1)!.text), text).toEqual(parseCommand(text));
        expect(answer, text).toContain("pong");
      }
    });

    it("sends a notification and returns a reference to it", async () => {
      const ref = await h.adapter.send(h.channel, realNotification());
      expect(ref.channel).toBe(h.channel);
      expect(ref.id).toBeTruthy();
      expect(h.sent()).toHaveLength(1);
      expect(h.sent()[0]).toContain("PYSEC-2023-74");
    });

    it("edits a sent message where the platform can, and says so where it cannot", async () => {
      const ref = await h.adapter.send(h.channel, realNotification());
      const updated = realNotification({ event: "updated", revision: 2, fixedVersions: ["2.31.0", "2.32.0"] });
      if (h.adapter.capabilities.edit) {
        await h.adapter.edit(ref, updated);
        expect(h.edited()).toHaveLength(1);
        expect(h.edited()[0]).toContain("2.32.0");
      } else {
        await expect(h.adapter.edit(ref, updated)).rejects.toBeInstanceOf(NotSupportedError);
      }
    });

    it("keeps a 10,000-character advisory within the platform's limits", async () => {
      await h.adapter.send(h.channel, hostileNotification());
      expect(h.sent().length).toBeGreaterThanOrEqual(1);
      for (const p of h.sent()) h.assertWithinLimits(p);
    });

    it("renders hostile advisory text inert: no mention, no markup, no link from the public", async () => {
      await h.adapter.send(h.channel, hostileNotification());
      for (const p of h.sent()) h.assertInert(p);
    });

    it("reports a platform's permanent refusal as permanent", async () => {
      await expect(h.adapter.send(h.permanentlyFailing(), realNotification())).rejects.toBeInstanceOf(PermanentDeliveryError);
    });

    it("hands an incoming command to the core with the channel and the user's rights, and shows the reply", async () => {
      const text = await h.command("lookup requests 2.28.1");
      expect(seen).toHaveLength(1);
      expect(seen[0]!.text).toBe("lookup requests 2.28.1");
      expect(seen[0]!.channel).toBe(h.channel);
      expect(typeof seen[0]!.canManage).toBe("boolean");
      expect(text).toContain("pong: lookup requests 2.28.1");
    });

    it("reports a 429 as rate-limited with the time the platform named (where the platform has limits)", async () => {
      if (!h.rateLimitNext) {
        expect(h.adapter.platform).toBe("console"); // only the console has no rate limit to honour
        return;
      }
      h.rateLimitNext(30);
      const err = await h.adapter.send(h.channel, realNotification()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(29_000);
    });
  });
}
