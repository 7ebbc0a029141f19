import type { Validators } from "../../http/validators.js";
import type { PypiFacts } from "./pypi-facts.js";
import type { PypiSignal } from "./pypi-signals.js";

/** PyPI's facts per project, with the validators of the last answer (a repeat poll is a 304). */
export interface StoredPypiFacts extends PypiFacts {
  readonly validators?: Validators;
}

export interface PypiFactsStore {
  get(name: string): Promise<StoredPypiFacts | undefined>;
  getMany(names: readonly string[]): Promise<Map<string, StoredPypiFacts>>;
  set(facts: StoredPypiFacts): Promise<void>;
}

/** One package whose PyPI answer changed: its new facts (with the signals' ids in `emitted`) and the signals they raise. */
export interface PypiUpdate {
  readonly facts: StoredPypiFacts;
  readonly signals: readonly PypiSignal[];
}
