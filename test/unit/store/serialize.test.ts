import { jsonSerializer } from "keyv";
import { expect, it } from "vitest";
import { codec } from "../../../src/store/serialize.js";
import { allOsvRecords } from "../../helpers/fixtures.js";

const samples: unknown[] = [
  { value: { id: "PYSEC-2023-74", details: ":starts with a colon", aliases: ["::two", ":base64:notreally", "CVE-1"], n: 3, skip: undefined, nested: { deep: [":x", null, 1.5] } }, expires: undefined },
  { value: ["a", ":b"], expires: 123 },
  { value: ":top", expires: undefined },
  { value: 'quotes "::" inside and "\\u0000"', expires: undefined },
  { value: { plain: "no colon at the start", list: ["a:b", "c"], n: 1 }, expires: undefined },
  { value: { ":key": "value", key: ["first", ":second"] }, expires: undefined },
  { value: [":first"], expires: undefined },
];

it("writes exactly what Keyv's serializer writes, and reads both its output and its own", () => {
  for (const s of samples) {
    expect(codec.stringify(s)).toBe(jsonSerializer.stringify(s));
    expect(codec.parse(jsonSerializer.stringify(s))).toEqual(jsonSerializer.parse(jsonSerializer.stringify(s)));
    expect(codec.parse(codec.stringify(s) as string)).toEqual(JSON.parse(JSON.stringify(s)));
  }
});

it("matches Keyv's serializer on every real advisory record in the fixtures", () => {
  const records = allOsvRecords();
  expect(records.length).toBeGreaterThan(100);
  for (const value of records) expect(codec.stringify({ value, expires: undefined })).toBe(jsonSerializer.stringify({ value, expires: undefined }));
});
