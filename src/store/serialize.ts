import { jsonSerializer, type KeyvSerializationAdapter } from "keyv";

// Keyv's own serializer walks every value in JavaScript and parses with a reviver on every read:
// measured as a large share of seeding and lookup time. This codec produces and accepts exactly its
// format (a string value starting with ":" is stored with one more ":"; we never store bytes or
// BigInts) with the native JSON functions.
const escapeColon = (_key: string, value: unknown) => (typeof value === "string" && value.startsWith(":") ? `:${value}` : value);

// Where a string value starting with ":" can be in JSON text: after ":", "," or "[" (or first).
// Inside a string a quote is escaped, so the pattern cannot come from a string's content; a key
// starting with ":" matches too, which only costs the slower path.
const COLON_STRING = /(?:^|[:,[])":/;

export const codec: KeyvSerializationAdapter = {
  // Plain native JSON, and only when some string starts with ":" again with the replacer (which
  // runs for every value: most of the time a seed spent serializing).
  stringify: (data) => {
    const plain = JSON.stringify(data);
    return COLON_STRING.test(plain) ? JSON.stringify(data, escapeColon) : plain;
  },
  // An escaped value shows as `"::` (or a tag such as `":base64:`); without one, plain JSON.parse reads the same thing.
  parse: <T>(text: string): T => (/":(:|base64:|bigint:)/.test(text) ? jsonSerializer.parse<T>(text) : (JSON.parse(text) as T)),
};
