import type { Clock } from "./clock.js";
import { mirrorState, type MirrorState } from "./mirror-state.js";
import type { CursorStore } from "./store/ports/cursors.js";
import type { AdvisoryStore } from "./store/ports/mirror.js";

export interface MirrorProbeDeps {
  readonly advisories: Pick<AdvisoryStore, "packageNames">;
  readonly cursors: Pick<CursorStore, "get">;
  readonly clock: Clock;
  readonly staleHours: number;
}

/**
 * Reads the mirror's state for answers, `status` and `/healthz`. A mirror that once held advisories
 * keeps them, so after the first yes only the OSV source's health is read (not the package list).
 */
export function createMirrorProbe(deps: MirrorProbeDeps): () => Promise<MirrorState> {
  let seeded = false;
  return async () => {
    seeded ||= (await deps.advisories.packageNames()).length > 0;
    return mirrorState(seeded, await deps.cursors.get("osv"), deps.clock.now(), deps.staleHours);
  };
}
