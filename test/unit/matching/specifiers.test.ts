import { describe, expect, it } from "vitest";
import { parsePypaYaml } from "../../../src/advisory/osv-schema.js";
import { affects } from "../../../src/matching/affects.js";
import { contains } from "../../../src/matching/intervals.js";
import { parseWatch, SpecError, specIntervals } from "../../../src/matching/specifiers.js";
import { readFixture } from "../../helpers/fixtures.js";

const requests74 = parsePypaYaml(readFixture("pypa", "vulns", "requests", "PYSEC-2023-74.yaml")); // [2.3.0, 2.31.0)
const allows = (spec: string, v: string) => specIntervals(spec).some((i) => contains(i, v));

describe("watch specs", () => {
  it("parses names, extras and specifier sets", () => {
    expect(parseWatch("Django>=4.2,<5")).toEqual({ name: "django", specifier: ">=4.2,<5" });
    expect(parseWatch("requests[socks]==2.31.0")).toEqual({ name: "requests", specifier: "==2.31.0" });
    expect(parseWatch("numpy")).toEqual({ name: "numpy", specifier: "" });
    expect(parseWatch("cpython>=3.12")).toEqual({ name: "python", specifier: ">=3.12" });
  });

  it.each([
    ["", /no package name/],
    [">=1.0", /no package name/],
    ["bad name!", /not a valid package name/],
    ["django>>4", /not a valid version/],
    ["django 4.2", /not a version specifier|not a valid package name/],
    ["django>=four", /not a valid version/],
    ["django>=2,<1", /allows no version/],
    ["django~=4", /two release segments/],
    ["django>=4.*", /only allowed with == and !=/],
  ])("rejects %j", (text, message) => {
    expect(() => parseWatch(text)).toThrow(SpecError);
    expect(() => parseWatch(text)).toThrow(message);
  });

  it("turns each operator into the versions it allows", () => {
    expect(allows(">=4.2,<5", "4.2")).toBe(true);
    expect(allows(">=4.2,<5", "5.0")).toBe(false);
    expect(allows("==1.4.*", "1.4.9")).toBe(true);
    expect(allows("==1.4.*", "1.5")).toBe(false);
    expect(allows("!=1.5", "1.5.0")).toBe(false);
    expect(allows("!=1.5", "1.5.1")).toBe(true);
    expect(allows("~=2.2.1", "2.2.9")).toBe(true);
    expect(allows("~=2.2.1", "2.3")).toBe(false);
    expect(allows(">1.0", "1.0")).toBe(false);
    expect(allows("<=1.0", "1.0.0")).toBe(true);
  });
});

describe("which watched versions an advisory affects", () => {
  it("a bare name is affected by any live range", () => {
    expect(affects(requests74, parseWatch("requests"))).toMatchObject({ affected: true, versions: [">=2.3.0, <2.31.0"], fixed: ["2.31.0"] });
  });

  it("a pin inside the range reports the pin; outside, nothing", () => {
    expect(affects(requests74, parseWatch("requests==2.28.1"))).toMatchObject({ affected: true, versions: ["2.28.1"] });
    expect(affects(requests74, parseWatch("requests==2.31.0")).affected).toBe(false);
    expect(affects(requests74, parseWatch("requests==2.2.1")).affected).toBe(false);
  });

  it("a range watch reports the intersection with the advisory's ranges", () => {
    expect(affects(requests74, parseWatch("requests>=2.30,<3")).versions).toEqual([">=2.30, <2.31.0"]);
    expect(affects(requests74, parseWatch("requests>2.20,!=2.25.0")).versions).toEqual([">2.20, <2.25.0", ">2.25.0, <2.31.0"]);
    expect(affects(requests74, parseWatch("requests>=2.31")).affected).toBe(false);
    expect(affects(requests74, parseWatch("requests<2.3")).affected).toBe(false);
  });
});
