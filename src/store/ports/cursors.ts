import type { SourceState } from "../../sources/source.js";

/** Each source's cursor, validators and health, by source id. */
export interface CursorStore {
  get(source: string): Promise<SourceState>;
  set(source: string, state: SourceState): Promise<void>;
  all(): Promise<Record<string, SourceState>>;
}
