import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { createKeyvAdvisoryStore } from "./store/keyv-advisory-store.js";
import { openDb, type Db } from "./store/open.js";
import type { AdvisoryStore } from "./store/ports/mirror.js";

/** Only the local mirror, for commands that read it (lookup, audit): no sources, no channels, a fast start. */
export async function openMirror(config: Config, clock: Clock): Promise<{ readonly db: Db; readonly advisories: AdvisoryStore }> {
  const db = await openDb(config.storeUrl, () => clock.now());
  return { db, advisories: createKeyvAdvisoryStore(db, clock) };
}
