import { jsonSerializer, type KeyvSerializationAdapter } from "keyv";

// Keyv's own serializer walks every value in JavaScript and parses with a reviver on every read:
// measured as a large share of seeding and lookup time. This codec produces and accepts exactly its
// format (a string value starting with ":" is stored with one more ":"; we never store bytes or
// BigInts) with the native JSON functions.
export const codec: KeyvSerializationAdapter = {
  stringify: (data) =>
    JSON.stringify(data, (_key, value: unknown) => (typeof value === "string" && value.startsWith(":") ? `:${value}` : value)),
  // An escaped value shows as `"::` (or a tag such as `":base64:`); without one, plain JSON.parse reads the same thing.
  parse: <T>(text: string): T => (/":(:|base64:|bigint:)/.test(text) ? jsonSerializer.parse<T>(text) : (JSON.parse(text) as T)),
};
