import { z } from "zod";
import { RATINGS } from "./advisory/severity.js";
import { WEEKDAYS, type Channel } from "./channel.js";
import { UserInputError } from "./errors.js";
import { parseWatch, SpecError } from "./matching/specifiers.js";
import type { ChannelStore } from "./store/ports/channels.js";

/** `pysec-herald export` writes this; `import` reads it (from any store to any store). */
export const BACKUP_FORMAT = "pysec-herald-channels";
const BACKUP_VERSION = 1;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const ChannelSchema = z.object({
  v: z.literal(1),
  key: z.string().regex(/^[a-z]+:\S+$/, "a channel key is <platform>:<id>"),
  watches: z.array(z.object({ name: z.string(), specifier: z.string(), label: z.string().optional() })),
  mode: z.enum(["live", "digest"]),
  digestTime: z.string().regex(HHMM),
  timezone: z.string().min(1),
  severity: z.enum([...RATINGS, "any"]),
  mutes: z.array(z.object({ kind: z.enum(["advisory", "package"]), target: z.string().min(1), until: z.string().regex(DAY).optional(), untilFixed: z.boolean().optional(), reason: z.string().optional() })),
  fixedOnly: z.boolean(),
  lookalikes: z.boolean(),
  epssFloor: z.number().min(0).max(1),
  kevOnly: z.boolean(),
  digestDay: z.enum(WEEKDAYS).optional(),
  quiet: z.object({ from: z.string().regex(HHMM), to: z.string().regex(HHMM) }).optional(),
  urgent: z.enum(["live", "digest"]),
  allClear: z.boolean(),
  signals: z.enum(["all", "security", "off"]).default("all"),
  lastDigestAt: z.string().optional(),
  paused: z.object({ at: z.string(), reason: z.string() }).optional(),
});

const BackupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  exportedAt: z.string(),
  channels: z.array(ChannelSchema),
});

export async function exportChannels(channels: ChannelStore, now: Date): Promise<string> {
  const list = (await channels.list()).sort((a, b) => a.key.localeCompare(b.key));
  return `${JSON.stringify({ format: BACKUP_FORMAT, version: BACKUP_VERSION, exportedAt: now.toISOString(), channels: list }, null, 1)}\n`;
}

/** Validates a whole backup before anything is written: one bad channel refuses the file. */
export function parseBackup(text: string, file: string): Channel[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserInputError(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = BackupSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserInputError(`${file}: not a pysec-herald backup: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  return parsed.data.channels.map((c, i) => ({
    ...c,
    // Watches go through the same validation as a `watch` command: names normalized, specifiers checked.
    watches: c.watches.map((w) => {
      try {
        return { ...parseWatch(`${w.name}${w.specifier}`), ...(w.label !== undefined && { label: w.label }) };
      } catch (err) {
        if (err instanceof SpecError) throw new UserInputError(`${file}: channels.${i} (${c.key}): ${err.message}`);
        throw err;
      }
    }),
  }));
}

export async function importChannels(channels: ChannelStore, list: readonly Channel[]): Promise<string> {
  await channels.putMany(list);
  const watches = list.reduce((n, c) => n + c.watches.length, 0);
  return `Imported ${list.length} channel${list.length === 1 ? "" : "s"} with ${watches} watch${watches === 1 ? "" : "es"}; channels not in the file were left as they were.`;
}
