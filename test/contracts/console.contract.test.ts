import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
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

it("answers piped commands strictly in the order they came", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (c: Buffer) => (printed += c.toString("utf8")));
  const adapter = createConsoleAdapter({ input, output });
  // A slow first command and a fast second one: the answers still come first, then second.
  await adapter.start(async ({ text }) => {
    if (text === "first") await new Promise((r) => setTimeout(r, 50));
    return { type: "reply", text: `answer to ${text}`, ephemeral: false };
  });
  input.write("first\nsecond\nthird\n");
  for (let i = 0; i < 200 && !printed.includes("answer to third"); i++) await new Promise((r) => setTimeout(r, 5));
  expect(printed.match(/answer to \w+/g)).toEqual(["answer to first", "answer to second", "answer to third"]);
  await adapter.stop();
});
