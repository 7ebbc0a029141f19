import { z } from "zod";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { SourceState } from "../sources/source.js";
import type { CursorStore } from "./ports/cursors.js";

// A corrupt cursor entry counts as a miss, never as a crash.
const StateSchema = z.object({
  cursor: z.string().optional(),
  seenAtCursor: z.array(z.string()).optional(),
  validators: z.record(z.string(), z.object({ etag: z.string().optional(), lastModified: z.string().optional() })).default({}),
  lastSuccess: z.string().optional(),
  lastError: z.object({ at: z.string(), message: z.string() }).optional(),
  warning: z.string().optional(),
  skippedRecords: z.array(z.object({ id: z.string(), version: z.string().optional(), reason: z.string() })).optional(),
  failingRecords: z.array(z.object({ key: z.string(), reason: z.string(), polls: z.number() })).optional(),
});

const EMPTY: SourceState = { validators: {} };

export function createKeyvCursorStore(db: Db): CursorStore {
  const { keyv } = db;
  async function get(source: string): Promise<SourceState> {
    const parsed = StateSchema.safeParse(await keyv.get(KEYS.cursor(source)));
    return parsed.success ? (parsed.data as SourceState) : EMPTY;
  }
  return {
    get,
    set: (source, state) =>
      db.transaction(async () => {
        await keyv.set(KEYS.cursor(source), state);
        const index = (await keyv.get<string[]>(KEYS.sources)) ?? [];
        if (!index.includes(source)) await keyv.set(KEYS.sources, [...index, source]);
      }),
    async all() {
      const index = (await keyv.get<string[]>(KEYS.sources)) ?? [];
      const out: Record<string, SourceState> = {};
      for (const s of index) out[s] = await get(s);
      return out;
    },
  };
}
