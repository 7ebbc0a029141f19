import { PassThrough } from "node:stream";
import { expect } from "vitest";
import { createConsoleAdapter, CONSOLE_CHANNEL } from "../../adapters/console/console-adapter.js";
import { chatAdapterContract } from "./chat-adapter.contract.js";

chatAdapterContract("console", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const printed: string[] = [];
  output.on("data", (c: Buffer) => printed.push(c.toString("utf8")));
  const adapter = createConsoleAdapter({ input, output });
  return {
    adapter,
    channel: CONSOLE_CHANNEL,
    start: (onCommand) => adapter.start(onCommand),
    sent: () => printed.filter((p) => p.startsWith("===")),
    edited: () => [],
    assertWithinLimits(p) {
      expect(p.length).toBeLessThan(20_000);
    },
    assertInert(p) {
      // A terminal's only "markup" is control sequences: none from the advisory may reach it.
      expect(p).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    },
    permanentlyFailing() {
      output.end();
      return CONSOLE_CHANNEL;
    },
    async command(text) {
      const before = printed.length;
      input.write(`${text}\n`);
      for (let i = 0; i < 100 && printed.length === before; i++) await new Promise((r) => setImmediate(r));
      return printed.slice(before).join("");
    },
    close: () => adapter.stop(),
  };
});
