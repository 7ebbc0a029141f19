import { compare, valid } from "@renovatebot/pep440";
import { BoundedMemo, BoundedPairMemo } from "../util/bounded-memo.js";

/** One end of a version interval; a missing bound means unbounded on that side. */
export interface Bound {
  readonly version: string;
  readonly inclusive: boolean;
}

export interface Interval {
  readonly lower?: Bound;
  readonly upper?: Bound;
}

export const EVERYTHING: Interval = {};

// The library parses both versions with a large regular expression on every call, and matching
// asks the same questions over and over (an advisory's version list against each watch): measured
// 0.25 ms per advisory on a lookup.
const validMemo = new BoundedMemo<boolean>(200_000);
const cmpMemo = new BoundedPairMemo<number>(200_000);

export function isVersion(v: string): boolean {
  return validMemo.get(v, () => valid(v) !== null);
}

/** PEP 440 ordering (`3` equals `3.0.0`, `1.8c1` is `1.8rc1`); both sides must be valid. */
export function cmp(a: string, b: string): number {
  if (a === b) return 0;
  return cmpMemo.get(a, b, () => compare(a, b));
}

function maxLower(a?: Bound, b?: Bound): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = cmp(a.version, b.version);
  if (c !== 0) return c > 0 ? a : b;
  return { version: a.version, inclusive: a.inclusive && b.inclusive };
}

function minUpper(a?: Bound, b?: Bound): Bound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = cmp(a.version, b.version);
  if (c !== 0) return c < 0 ? a : b;
  return { version: a.version, inclusive: a.inclusive && b.inclusive };
}

export function isEmpty(i: Interval): boolean {
  if (!i.lower || !i.upper) return false;
  const c = cmp(i.lower.version, i.upper.version);
  return c > 0 || (c === 0 && !(i.lower.inclusive && i.upper.inclusive));
}

export function intersect(a: Interval, b: Interval): Interval | undefined {
  const lower = maxLower(a.lower, b.lower);
  const upper = minUpper(a.upper, b.upper);
  const i: Interval = { ...(lower && { lower }), ...(upper && { upper }) };
  return isEmpty(i) ? undefined : i;
}

/** Intersection of two unions of intervals. */
export function intersectAll(as: readonly Interval[], bs: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const a of as) {
    for (const b of bs) {
      const i = intersect(a, b);
      if (i) out.push(i);
    }
  }
  return out;
}

// The epoch and release numbers at the start of a version, trailing zeros dropped ("v1.2.0rc1" →
// "0!1.2"): two versions PEP 440 orders as equal always have the same key, so a pin is compared
// only with listed versions that share it (a pin against an advisory's hundreds of versions
// otherwise parses each pair).
const RELEASE = /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)/i;
const releaseMemo = new BoundedMemo<string>(200_000);

function releaseKey(v: string): string {
  return releaseMemo.get(v, () => {
    const m = RELEASE.exec(v);
    if (!m) return v;
    const parts = m[2]!.split(".").map(Number);
    while (parts.length > 1 && parts[parts.length - 1] === 0) parts.pop();
    return `${Number(m[1] ?? 0)}!${parts.join(".")}`;
  });
}

export function contains(i: Interval, v: string): boolean {
  // A single version (an exact pin): no other release can be equal to it.
  if (i.lower && i.upper && i.lower.version === i.upper.version && releaseKey(v) !== releaseKey(i.lower.version)) return false;
  if (i.lower) {
    const c = cmp(v, i.lower.version);
    if (c < 0 || (c === 0 && !i.lower.inclusive)) return false;
  }
  if (i.upper) {
    const c = cmp(v, i.upper.version);
    if (c > 0 || (c === 0 && !i.upper.inclusive)) return false;
  }
  return true;
}

/** Human and pip-like text for an interval: `4.2.1`, `>=4.2, <4.2.15`, `all versions`. */
export function describe(i: Interval): string {
  if (i.lower && i.upper && i.lower.inclusive && i.upper.inclusive && cmp(i.lower.version, i.upper.version) === 0) {
    return i.lower.version;
  }
  const parts: string[] = [];
  if (i.lower) parts.push(`${i.lower.inclusive ? ">=" : ">"}${i.lower.version}`);
  if (i.upper) parts.push(`${i.upper.inclusive ? "<=" : "<"}${i.upper.version}`);
  return parts.length ? parts.join(", ") : "all versions";
}
