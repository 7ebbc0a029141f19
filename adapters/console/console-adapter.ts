import { readFile, stat } from "node:fs/promises";
import { createInterface, type Interface } from "node:readline";
import { MAX_IMPORT_CHARS, type Attachment } from "../../src/commands/parse.js";
import type { Readable, Writable } from "node:stream";
import { NotSupportedError, PermanentDeliveryError } from "../../src/errors.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { render } from "./render.js";
import { decodeDependencyFile } from "../../src/deps/decode.js";

export const CONSOLE_CHANNEL = "console:local";

const IMPORT_LINE = /^\s*watch\s+-r\s+(\S+)\s*$/i;

/** On the console, `watch -r <path>` names a file on this machine: its text follows the command to the core. */
/** `watch -r <path>` on the console reads the file: the command goes on with it attached. */
async function withFileContents(line: string): Promise<{ text: string; attachment?: Attachment }> {
  const m = IMPORT_LINE.exec(line);
  if (!m) return { text: line };
  const path = m[1]!;
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`${path}: no such file`);
  if (info.size > MAX_IMPORT_CHARS) throw new Error(`${path} is larger than ${MAX_IMPORT_CHARS / 1024} KB`);
  return { text: line, attachment: { label: path, text: decodeDependencyFile(await readFile(path)) } };
}

export interface ConsoleAdapterOptions {
  readonly output: Writable;
  /** Lines typed here are commands for the console channel (its user may manage it). */
  readonly input?: Readable;
  /** `exit`, `quit`, or the end of a terminal's input (Ctrl-D): the person is done, the bot stops. */
  readonly onQuit?: () => void;
}

const QUIT = /^\s*(exit|quit)\s*$/i;

/** Prints notifications on stdout and takes commands from stdin: pysec-herald without any chat token. */
export function createConsoleAdapter(opts: ConsoleAdapterOptions): ChatAdapter {
  let rl: Interface | undefined;
  let sent = 0;
  let stopping = false;
  const print = (text: string): void => void opts.output.write(`${text}\n\n`);
  return {
    platform: "console",
    host: "console",
    capabilities: { edit: false, maxLength: Number.POSITIVE_INFINITY, idempotentSend: false },
    async start(onCommand) {
      if (!opts.input) return;
      rl = createInterface({ input: opts.input, terminal: false });
      // Answered strictly in the order typed (or piped): each command waits for the one before.
      let previous: Promise<void> = Promise.resolve();
      rl.on("line", (line) => {
        if (!line.trim()) return;
        if (QUIT.test(line)) {
          previous = previous.then(() => opts.onQuit?.());
          return;
        }
        previous = previous.then(() =>
          withFileContents(line)
            .then((cmd) => onCommand({ channel: CONSOLE_CHANNEL, user: "console", canManage: true, ...cmd }))
            .then((reply) => print(render(reply)))
            .catch((err: unknown) => print(`error: ${(err as Error).message}`)),
        );
      });
      // Ctrl-D at a terminal means "done"; piped or closed input (a container, a service) does
      // not: the bot goes on delivering, and says how to stop it.
      rl.on("close", () => {
        previous = previous.then(() => {
          if ((opts.input as { isTTY?: boolean }).isTTY) return opts.onQuit?.();
          if (!stopping) print("(input ended: the bot keeps running and alerting here; stop it with Ctrl-C or SIGTERM)");
        });
      });
    },
    async stop() {
      stopping = true;
      rl?.close();
    },
    async send(to, msg) {
      if (opts.output.destroyed || opts.output.writableEnded) throw new PermanentDeliveryError("console", "console output is closed");
      // Other console channels exist only in tests and the demo; name them so output stays attributable.
      print(to === CONSOLE_CHANNEL ? render(msg) : `[${to}]\n${render(msg)}`);
      return { channel: to, id: String(++sent) };
    },
    async edit() {
      throw new NotSupportedError("edit on the console");
    },
  };
}
