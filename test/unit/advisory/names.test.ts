import { describe, expect, it } from "vitest";
import { canonicalPackage, isValidName, normalizeName } from "../../../src/advisory/names.js";

describe("PEP 503 names", () => {
  it.each([
    ["Django", "django"],
    ["jw.util", "jw-util"],
    ["Foo__Bar-.baz", "foo-bar-baz"],
    ["zope.interface", "zope-interface"],
    ["  requests ", "requests"],
  ])("%s normalizes to %s", (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it("treats cpython as python", () => {
    expect(canonicalPackage("CPython")).toBe("python");
  });

  it.each(["requests", "a", "0-8", "jw.util", "4123"])("accepts %s", (n) => expect(isValidName(n)).toBe(true));
  it.each(["", "-lead", "trail-", "sp ace", "a/b", "<@everyone>", "x".repeat(201)])("rejects %j", (n) => expect(isValidName(n)).toBe(false));
});
