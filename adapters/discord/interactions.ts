import { z } from "zod";
import type { CommandHandler } from "../../src/commands/execute.js";
import { labelFromFileName, type Attachment } from "../../src/commands/parse.js";
import type { Clock } from "../../src/clock.js";
import { UserInputError } from "../../src/errors.js";
import { reply } from "../../src/render/notification.js";
import { MORE_BUTTON, replyBody, type MessageBody } from "./render.js";
import { canManage, commandText, EPHEMERAL_BY_DEFAULT, type CommandOption } from "./slash-commands.js";

const PING = 1;
const APPLICATION_COMMAND = 2;
const MESSAGE_COMPONENT = 3;
const AUTOCOMPLETE = 4;

const OptionSchema: z.ZodType<CommandOption> = z.lazy(() =>
  z.object({ name: z.string(), type: z.number(), value: z.union([z.string(), z.number(), z.boolean()]).optional(), focused: z.boolean().optional(), options: z.array(OptionSchema).optional() }),
);

export const InteractionSchema = z.object({
  id: z.string(),
  type: z.number(),
  token: z.string().default(""),
  channel_id: z.string().optional(),
  guild_id: z.string().optional(),
  member: z.object({ permissions: z.string().optional(), user: z.object({ id: z.string() }).optional() }).optional(),
  user: z.object({ id: z.string() }).optional(),
  data: z.object({
    name: z.string().optional(),
    custom_id: z.string().optional(),
    options: z.array(OptionSchema).optional(),
    resolved: z.object({ attachments: z.record(z.string(), z.object({ url: z.string(), filename: z.string(), size: z.number() })).optional() }).optional(),
  }).optional(),
});

export type Interaction = z.infer<typeof InteractionSchema>;

export interface InteractionDeps {
  readonly onCommand: CommandHandler;
  /** Package names from the local mirror starting with a prefix. */
  readonly suggest: (prefix: string) => Promise<string[]>;
  readonly clock: Clock;
  /** After this long without an answer, the reply is deferred (Discord wants one within 3 s). */
  readonly deferAfterMs: number;
  /** Downloads an attached dependency file (only from the configured CDN, size-limited). */
  readonly download: (url: string) => Promise<string>;
}

/** `/pysec watch file:<attachment>` → the file under its label, or undefined when no file is attached. */
async function attachedImport(i: Interaction, deps: InteractionDeps): Promise<Attachment | undefined> {
  const sub = i.data?.options?.[0];
  const fileId = sub?.name === "watch" ? sub.options?.find((o) => o.name === "file")?.value : undefined;
  if (fileId === undefined) return undefined;
  const file = i.data?.resolved?.attachments?.[String(fileId)];
  if (!file) throw new UserInputError("The attached file is missing from the interaction.");
  const label = String(sub?.options?.find((o) => o.name === "label")?.value ?? labelFromFileName(file.filename));
  return { label, text: await deps.download(file.url) };
}

/** How a response reaches Discord: the HTTP answer or the callback endpoint, then edits of @original. */
export interface Responder {
  initial(body: unknown): Promise<void>;
  editOriginal(body: MessageBody): Promise<void>;
}

async function autocomplete(i: Interaction, deps: InteractionDeps): Promise<unknown> {
  const parsed = commandText(i.data?.options);
  const typed = String(parsed?.focused?.value ?? "");
  // Multi-package options complete their last word.
  const head = typed.includes(" ") ? typed.slice(0, typed.lastIndexOf(" ") + 1) : "";
  const last = typed.slice(head.length);
  const names = last.length === 0 ? [] : await deps.suggest(last.toLowerCase());
  const choices = names.slice(0, 25).map((n) => `${head}${n}`).filter((v) => v.length <= 100).map((v) => ({ name: v, value: v }));
  return { type: 8, data: { choices } };
}

/** Answers one interaction (already verified, if it came over HTTP). */
export async function handleInteraction(raw: unknown, deps: InteractionDeps, respond: Responder): Promise<void> {
  const parsed = InteractionSchema.safeParse(raw);
  if (!parsed.success) return respond.initial({ type: 4, data: replyBody({ type: "reply", text: "Sorry, I could not read that interaction.", ephemeral: true }, true) });
  const i = parsed.data;
  if (i.type === PING) return respond.initial({ type: 1 });
  if (i.type === AUTOCOMPLETE) return respond.initial(await autocomplete(i, deps));
  const user = i.member?.user?.id ?? i.user?.id ?? "unknown";
  // In a DM (no guild) the person owns their personal channel.
  const incoming = { channel: `discord:${i.channel_id ?? user}`, user, canManage: i.guild_id ? canManage(i.member?.permissions) : true };
  if (i.type === MESSAGE_COMPONENT && i.data?.custom_id === MORE_BUTTON) {
    return respond.initial({ type: 4, data: replyBody(await deps.onCommand({ ...incoming, canManage: false, text: "more" }), true) });
  }
  if (i.type !== APPLICATION_COMMAND) return respond.initial({ type: 4, data: replyBody({ type: "reply", text: "This kind of interaction is not supported.", ephemeral: true }, true) });
  const cmd = commandText(i.data?.options) ?? { text: "help", public: false };
  const imported = attachedImport(i, deps);
  const sub = cmd.text.split(" ")[0]!;
  const work = imported
    .then((attachment) => deps.onCommand({ ...incoming, text: cmd.text, ...(attachment && { attachment }) }))
    .catch((err: unknown) => reply(err instanceof UserInputError ? err.message : "I could not read that file; please try again or paste its text.", true));
  const timer = new AbortController();
  const winner = await Promise.race([work.then((reply) => ({ reply })), deps.clock.sleep(deps.deferAfterMs, timer.signal).then(() => undefined)]);
  timer.abort();
  if (winner) return respond.initial({ type: 4, data: replyBody(winner.reply, winner.reply.ephemeral && !cmd.public) });
  const ephemeral = EPHEMERAL_BY_DEFAULT.has(sub) && !cmd.public;
  await respond.initial({ type: 5, data: ephemeral ? { flags: 64 } : {} });
  await respond.editOriginal(replyBody(await work, ephemeral));
}
