import type { Readable, Writable } from "node:stream";
import { createConsoleAdapter, CONSOLE_CHANNEL } from "../adapters/console/console-adapter.js";
import type { DiscordAdapter } from "../adapters/discord/discord-adapter.js";
import type { Clock } from "./clock.js";
import { createCommandHandler } from "./commands/execute.js";
import { withPages } from "./commands/pager.js";
import { splitSpecs } from "./commands/parse.js";
import { discordEnabled, slackEnabled, telegramEnabled, type Config, type Role } from "./config.js";
import { createAttempt } from "./delivery/attempt.js";
import { createSettle } from "./delivery/settle.js";
import type { ChatAdapter } from "./delivery/chat-adapter.js";
import { keepConnecting } from "./delivery/connect.js";
import { createDispatcher, type Dispatcher } from "./delivery/dispatcher.js";
import { errorMessage } from "./errors.js";
import { addOpsRoutes } from "./http/ops-routes.js";
import { createMetricsHistory } from "./web/metrics-history.js";
import { reportSecret } from "./web/report-secret.js";
import { addWebRoutes } from "./web/web-routes.js";
import { createMirrorProbe } from "./mirror-probe.js";
import { describeMirror } from "./mirror-state.js";
import { reply } from "./render/notification.js";
import { createHttpServer, type HttpServer } from "./http/server.js";
import type { Logger } from "./log.js";
import { createDigestScheduler, type DigestScheduler } from "./scheduler/digest.js";
import { openServices, type Services } from "./services.js";
import { createPackageSuggester } from "./suggest.js";

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
  /** The embedded outbox's dispatcher (absent with QUEUE_URL, where BullMQ workers deliver). */
  readonly dispatcher?: Dispatcher;
  /** The HTTP server's port (/healthz, /metrics, webhook receivers), unless PORT was taken. */
  readonly port?: number;
  /** Resolves when the bot has stopped. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

// Each platform's library loads only when its token is set: an embedded bot on the console, or
// one platform, does not carry the other two (start-up time and memory).
async function discordAdapter(config: Config, log: Logger, clock: Clock, services: Pick<Services, "advisories">, http?: HttpServer): Promise<DiscordAdapter> {
  const { createDiscordAdapter } = await import("../adapters/discord/discord-adapter.js");
  return createDiscordAdapter({
    token: config.discord.token,
    applicationId: config.discord.applicationId,
    apiUrl: config.discord.apiUrl,
    cdnUrl: config.discord.cdnUrl,
    interactions: config.discord.interactions,
    ...(config.discord.publicKey && { publicKey: config.discord.publicKey }),
    ...(http && { http }),
    suggest: createPackageSuggester(services.advisories, clock),
    clock,
    log,
  });
}

/** `pysec-herald discord register [--guild ID]`. */
export async function registerDiscordCommands(config: Config, log: Logger, clock: Clock, services: Pick<Services, "advisories">, guildId?: string): Promise<void> {
  if (!discordEnabled(config)) throw new Error("set DISCORD_TOKEN and DISCORD_APPLICATION_ID first");
  await (await discordAdapter(config, log, clock, services)).registerCommands(guildId);
}

// Without webhook receivers the server only serves /healthz and /metrics: a taken port is worth
// an error in the log, not a bot that refuses to start.
async function listen(http: HttpServer, host: string, port: number, webhooks: boolean, log: Logger): Promise<number | undefined> {
  try {
    return await http.listen(port, host);
  } catch (err) {
    if (webhooks) throw new Error(`HOST ${host}, PORT ${port}: cannot listen for webhooks (${errorMessage(err)})`);
    log.error({ host, port, err: errorMessage(err) }, "cannot listen on HOST:PORT; /healthz and /metrics are off");
    return undefined;
  }
}

/**
 * A platform's adapter exists here to answer its commands (its role), to send (delivery), or to
 * size digests for it (poller: a digest waits while its platform has no adapter); only the first
 * gets the served HTTP server for its webhook receiver, and only it is started.
 */
async function createAdapters(opts: BotOptions, roles: ReadonlySet<Role>, services: Services, http: HttpServer, stopper: AbortController) {
  const { config, log, clock } = opts;
  const serves = (p: string) => roles.has(p as Role);
  const wanted = (p: Role) => serves(p) || roles.has("delivery") || roles.has("poller");
  const receiverFor = (p: Role) => (serves(p) ? http : createHttpServer(log));
  const adapters: ChatAdapter[] = [];
  if (discordEnabled(config) && wanted("discord")) adapters.push(await discordAdapter(config, log, clock, services, receiverFor("discord")));
  if (slackEnabled(config) && wanted("slack")) {
    const { createSlackAdapter } = await import("../adapters/slack/slack-adapter.js");
    adapters.push(createSlackAdapter({
      botToken: config.slack.botToken,
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : { signingSecret: config.slack.signingSecret, http: receiverFor("slack") }),
      apiUrl: config.slack.apiUrl,
      filesUrl: config.slack.filesUrl,
      managers: config.slack.managers,
      clock,
      log,
    }));
  }
  if (telegramEnabled(config) && wanted("telegram")) {
    const { createTelegramAdapter } = await import("../adapters/telegram/telegram-adapter.js");
    adapters.push(createTelegramAdapter({
      token: config.telegram.token,
      apiRoot: config.telegram.apiRoot,
      ...(config.telegram.webhookUrl && { webhookUrl: config.telegram.webhookUrl, webhookSecret: config.telegram.webhookSecret, http: receiverFor("telegram") }),
      clock,
      log,
    }));
  }
  // The console speaks only when no chat platform is configured.
  const chatConfigured = discordEnabled(config) || slackEnabled(config) || telegramEnabled(config);
  const consoleAdapter = chatConfigured ? undefined : createConsoleAdapter({ output: opts.stdout, ...(opts.stdin && { input: opts.stdin }), onQuit: () => stopper.abort() });
  if (consoleAdapter) adapters.push(consoleAdapter);
  return { adapters, consoleAdapter, serves };
}

/** Composition root: the only module that imports adapters/. */
export async function startBot(opts: BotOptions): Promise<Bot> {
  const { config, log, clock } = opts;
  const roles = new Set<Role>(config.roles);
  let dispatcher: Dispatcher | undefined;
  // A first start seeds the mirror: the OSV source says how far it is every few thousand records.
  const onSeedProgress = (n: number) => log.info({ seeded: n }, `seeding the advisory mirror: ${n} records so far`);
  const services = await openServices(config, log, clock, { onEvent: () => dispatcher?.wake(), processMetrics: true, onSeedProgress });
  const http = createHttpServer(log);
  const stopper = new AbortController();
  const { adapters, consoleAdapter, serves } = await createAdapters(opts, roles, services, http, stopper);
  const byPlatform = new Map(adapters.map((a) => [a.platform, a]));
  // Report links only where people can reach the pages (PUBLIC_URL); the key is made once and kept in the store.
  const secret = config.publicUrl ? await reportSecret(services.db, config.reportSecret) : undefined;
  const report = config.publicUrl && secret ? { publicUrl: config.publicUrl, secret, ttlHours: config.reportTtlHours } : undefined;
  const handle = createCommandHandler({ ...services, mirrorStaleHours: config.mirrorStaleHours, ...(report && { report }) });
  const digestScheduler = createDigestScheduler({ ...services, mirrorStaleHours: config.mirrorStaleHours, maxLength: (p) => byPlatform.get(p)?.capabilities.maxLength, onQueued: () => dispatcher?.wake() });

  // Embedded mode seeds before answering --watch, so its reply can say what already affects the
  // watches; with QUEUE_URL the first scheduled OSV poll seeds, on whichever instance runs it.
  const osv = services.sources.find((s) => s.id === "osv");
  if (!services.queue && roles.has("poller") && osv && (await services.cursors.get(osv.id)).cursor === undefined) await services.poller.pollOnce(osv);
  const specs = splitSpecs([...(opts.watch ?? []), config.watch].join(" "));
  if (specs.length > 0 && !consoleAdapter) log.warn("--watch and PYSEC_HERALD_WATCH apply to the console, which is off while a chat platform is configured");
  if (specs.length > 0 && consoleAdapter) {
    await services.channels.update(CONSOLE_CHANNEL, (c) => ({ ...c, watches: [] }));
    const reply = await handle({ channel: CONSOLE_CHANNEL, user: "console", canManage: true, text: `watch ${specs.join(" ")}` });
    await consoleAdapter.send(CONSOLE_CHANNEL, reply);
  }
  if (consoleAdapter) await consoleAdapter.start(handle);
  // A chat platform that cannot be reached is tried again in the background; polls, the console
  // and the HTTP server do not wait for it.
  const connecting = adapters.filter((a) => a !== consoleAdapter && serves(a.platform)).map((a) => keepConnecting(a, withPages(handle, { pageChars: a.capabilities.maxLength, clock, ...(a.capabilities.commandPrefix && { prefix: a.capabilities.commandPrefix }) }), { clock, log, signal: stopper.signal }));
  if (consoleAdapter) {
    const watches = (await services.channels.get(CONSOLE_CHANNEL))?.watches.length ?? 0;
    const state = await createMirrorProbe({ ...services, staleHours: config.mirrorStaleHours })();
    await consoleAdapter.send(CONSOLE_CHANNEL, reply(`pysec-herald is running. This console watches ${watches} ${watches === 1 ? "package" : "packages"}; the advisory mirror is ${describeMirror(state)}. Type help for the commands.`));
  }
  const webhooks = http.hasRoutes();
  addOpsRoutes(http, { ...services, sources: services.sources.map((s) => s.id), mirrorStaleHours: config.mirrorStaleHours, ...(config.opsToken && { opsToken: config.opsToken }) });
  const history = createMetricsHistory(services.metrics, clock);
  addWebRoutes(http, { ...services, history, mirrorStaleHours: config.mirrorStaleHours, pypiUrl: config.pypiUrl, ...(secret && { reportSecret: secret }), ...(config.opsToken && { opsToken: config.opsToken }) });
  const port = await listen(http, config.host, config.port, webhooks, log);

  const running: Promise<unknown>[] = [...connecting, history.run(stopper.signal)];
  const closers = services.queue ? await startQueueRoles(services.queue, services, roles, byPlatform, digestScheduler, stopper.signal) : [];
  if (!services.queue) {
    dispatcher = createDispatcher({ ...services, adapters: byPlatform });
    if (roles.has("poller")) running.push(services.poller.run(stopper.signal), digestScheduler.run(stopper.signal));
    if (roles.has("delivery")) running.push(dispatcher.run(stopper.signal));
  }
  const stopped = new Promise<void>((resolve) => stopper.signal.addEventListener("abort", () => resolve()));
  const done = Promise.all([...running, stopped]).then(async () => {
    for (const close of closers) await close();
    await http.close();
    for (const a of adapters) {
      await a.stop().then(
        () => log.info({ platform: a.platform }, `${a.platform} stopped`),
        (err: unknown) => log.warn({ platform: a.platform, err: errorMessage(err) }, `${a.platform} did not stop cleanly`),
      );
    }
    await services.close();
  });
  log.info({ adapters: adapters.map((a) => a.platform), sources: services.sources.map((s) => s.id), roles: [...roles], queue: Boolean(services.queue), port }, "pysec-herald started");
  return {
    services,
    ...(dispatcher && { dispatcher }),
    ...(port !== undefined && { port }),
    done,
    async stop() {
      stopper.abort();
      await done;
    },
  };
}

/**
 * With QUEUE_URL: the poller role takes the schedule queue (polls and the digest check), the
 * delivery role the delivery queues of the platforms with an adapter here. Returns their closers.
 */
async function startQueueRoles(
  queue: NonNullable<Services["queue"]>,
  services: Services,
  roles: ReadonlySet<Role>,
  adapters: ReadonlyMap<string, ChatAdapter>,
  digests: DigestScheduler,
  signal: AbortSignal,
): Promise<(() => Promise<void>)[]> {
  const [{ startSchedulers }, { startDeliveryWorkers }] = await Promise.all([import("./queue/job-schedulers.js"), import("./queue/delivery-workers.js")]);
  const refresh = services.channels.refresh;
  const closers: (() => Promise<void>)[] = [];
  if (roles.has("poller")) {
    const schedulers = await startSchedulers({
      redis: queue.redis,
      sources: services.sources,
      log: services.log,
      async run(job) {
        await refresh();
        if (job.kind === "digest") await digests.tick();
        else {
          const source = services.sources.find((s) => s.id === job.source);
          if (source) await services.poller.pollOnce(source, signal);
        }
      },
    });
    closers.push(() => schedulers.close());
  }
  if (roles.has("delivery")) {
    const attempt = createAttempt({ ...services, adapters });
    const settle = createSettle(services);
    const platforms = [...adapters.values()].map((a) => ({ platform: a.platform, idempotentSend: a.capabilities.idempotentSend }));
    const workers = startDeliveryWorkers({ ...services, redis: queue.redis, platforms, attempt, settle, told: queue.delivery.toldStore, refresh });
    closers.push(async () => void (await Promise.all(workers.map((w) => w.close()))));
  }
  return closers;
}
