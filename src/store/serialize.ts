import { defaultDeserialize } from "@keyv/serialize";
import type { Deserialize, Serialize } from "keyv";

// Keyv's own serializer walks every value in JavaScript and parses with a reviver on every read:
// measured as a large share of seeding and lookup time. These produce and accept exactly its format
// (a string value starting with ":" is stored with one more ":"; we never store Buffers) with the
// native JSON functions.

export const serialize: Serialize = (data) =>
  JSON.stringify(data, (_key, value: unknown) => (typeof value === "string" && value.startsWith(":") ? `:${value}` : value));

// An escaped value shows as `"::` (or `":base64:`); without one, plain JSON.parse reads the same thing.
export const deserialize: Deserialize = (text) => (text.includes('"::') || text.includes('":base64:') ? defaultDeserialize(text) : JSON.parse(text));
