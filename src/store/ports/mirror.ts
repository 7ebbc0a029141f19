import type { Advisory } from "../../advisory/osv-schema.js";
import type { Change, StoredAdvisory } from "../../advisory/diff.js";
import type { NormalizedName } from "../../advisory/names.js";

/** Local mirror of advisories, looked up by id, alias or package; `upsertMany` says what changed. */
export interface AdvisoryStore {
  get(idOrAlias: string): Promise<StoredAdvisory | undefined>;
  byPackage(name: NormalizedName): Promise<StoredAdvisory[]>;
  /**
   * Stores source records and merges those that alias each other into one advisory (union-find over
   * ids and aliases); one Change per record, for its advisory. `quiet`: store without making news.
   */
  upsertMany(records: readonly Advisory[], opts?: { readonly quiet?: boolean; readonly source?: string }): Promise<Change[]>;
  /** Sets the exploitation signals of an advisory; a KEV addition is a material change. */
  setPriority(id: string, signals: { readonly kev: boolean; readonly epss?: number }): Promise<Change | undefined>;
  /** Marks the fan-out of an event as finished, so a re-read of the record is not news again. */
  fannedOut(id: string, revision: number): Promise<void>;
  packageNames(): Promise<string[]>;
  count(): Promise<number>;
}
