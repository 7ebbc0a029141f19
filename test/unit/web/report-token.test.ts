import { expect, it } from "vitest";
import { esc } from "../../../src/web/html.js";
import { quantile } from "../../../src/web/metrics-history.js";
import { signReportToken, verifyReportToken } from "../../../src/web/report-token.js";

const KEY = "k".repeat(32);
const now = new Date("2026-12-02T10:00:00Z");

it("a report token names its channel until it expires, and nothing once changed", () => {
  const token = signReportToken({ channel: "slack:C1", expires: new Date("2026-12-03T10:00:00Z") }, KEY);
  expect(token).toMatch(/^[0-9a-f]+\.[0-9a-f]{64}$/);
  expect(verifyReportToken(token, KEY, now)).toEqual({ channel: "slack:C1", expires: new Date("2026-12-03T10:00:00Z") });
  expect(verifyReportToken(token, KEY, new Date("2026-12-03T10:00:00Z"))).toBeUndefined();
  expect(verifyReportToken(token, "other".repeat(8), now)).toBeUndefined();
  const [payload, mac] = token.split(".");
  const swapped = Buffer.from(JSON.stringify({ c: "slack:C2", e: 1_900_000_000 })).toString("hex");
  for (const bad of [`${swapped}.${mac}`, `${payload}.${mac}.x`, payload!, `${payload}.${"0".repeat(64)}`, `zz.${mac}`, "", "a".repeat(5000)]) expect(verifyReportToken(bad, KEY, now)).toBeUndefined();
});

it("escapes every character that could open markup or an attribute", () => {
  expect(esc(`<img src=x onerror="a('b')">&\``)).toBe("&#60;img src=x onerror=&#34;a(&#39;b&#39;)&#34;&#62;&#38;&#96;");
});

it("estimates quantiles from cumulative buckets as Prometheus does", () => {
  const buckets = new Map([[0.1, 0], [0.5, 50], [1, 90], [5, 100], [Number.POSITIVE_INFINITY, 100]]);
  expect(quantile(buckets, 0.5)).toBeCloseTo(0.5);
  expect(quantile(buckets, 0.99)).toBeCloseTo(1 + 4 * 0.9);
  expect(quantile(new Map([[1, 0], [Number.POSITIVE_INFINITY, 0]]), 0.5)).toBeUndefined();
});
