import type { Readable, Writable } from "node:stream";
import { createConsoleAdapter, CONSOLE_CHANNEL } from "../adapters/console/console-adapter.js";
import type { Clock } from "./clock.js";
import { createCommandHandler } from "./commands/execute.js";
import { splitSpecs } from "./commands/parse.js";
import type { Config } from "./config.js";
import type { ChatAdapter } from "./delivery/chat-adapter.js";
import { createDispatcher, type Dispatcher } from "./delivery/dispatcher.js";
import type { Logger } from "./log.js";
import { openServices, type Services } from "./services.js";

export interface BotOptions {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly stdout: Writable;
  readonly stdin?: Readable;
  /** Watches for the console channel from --watch; replace what it watched before. */
  readonly watch?: readonly string[];
}

export interface Bot {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  /** Resolves when the bot has stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** Composition root: the only module that imports adapters/. */
export async function startBot(opts: BotOptions): Promise<Bot> {
  const { config, log, clock } = opts;
  let dispatcher: Dispatcher | undefined;
  const services = await openServices(config, log, clock, { onEvent: () => dispatcher?.wake() });
  // Only the console adapter exists so far; chat platforms plug in here with their tokens.
  const adapters: ChatAdapter[] = [createConsoleAdapter({ output: opts.stdout, ...(opts.stdin && { input: opts.stdin }) })];
  dispatcher = createDispatcher({ ...services, adapters: new Map(adapters.map((a) => [a.platform, a])) });
  const handle = createCommandHandler(services);

  // Seed before answering --watch, so its reply can say what already affects the watches.
  for (const source of services.sources) {
    if ((await services.cursors.get(source.id)).cursor === undefined) await services.poller.pollOnce(source);
  }
  const console = adapters[0]!;
  const specs = splitSpecs([...(opts.watch ?? []), config.watch].join(" "));
  if (specs.length > 0) {
    await services.channels.update(CONSOLE_CHANNEL, (c) => ({ ...c, watches: [] }));
    const reply = await handle({ channel: CONSOLE_CHANNEL, user: "console", canManage: true, text: `watch ${specs.join(" ")}` });
    await console.send(CONSOLE_CHANNEL, reply);
  }
  for (const a of adapters) await a.start(handle);

  const stopper = new AbortController();
  const done = Promise.all([services.poller.run(stopper.signal), dispatcher.run(stopper.signal)]).then(async () => {
    for (const a of adapters) await a.stop();
    await services.db.close();
  });
  log.info({ adapters: adapters.map((a) => a.platform), sources: services.sources.map((s) => s.id) }, "pysec-herald started");
  return {
    services,
    dispatcher,
    done,
    async stop() {
      stopper.abort();
      await done;
    },
  };
}
