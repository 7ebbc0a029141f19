import { randomBytes } from "node:crypto";
import type { Db } from "../store/open.js";
import { KEYS } from "../store/keys.js";

/**
 * REPORT_SECRET, or the one generated on the first start and kept in the store, so that links stay
 * valid across restarts and every instance sharing the store signs alike.
 */
export async function reportSecret(db: Db, configured: string): Promise<string> {
  if (configured) return configured;
  return db.transaction(async () => {
    const stored = await db.keyv.get<string>(KEYS.reportSecret);
    if (typeof stored === "string" && stored.length >= 32) return stored;
    const fresh = randomBytes(32).toString("base64url");
    await db.keyv.set(KEYS.reportSecret, fresh);
    return fresh;
  });
}
