/** A PEP 503-normalized package name: lowercase, runs of `-`, `_`, `.` collapsed to `-`. */
export type NormalizedName = string & { readonly __normalized: unique symbol };

// PEP 508 name: ASCII letters and digits, with `.`, `-`, `_` only between them.
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

export function normalizeName(name: string): NormalizedName {
  return name.trim().replace(/[-_.]+/g, "-").toLowerCase() as NormalizedName;
}

export function isValidName(name: string): boolean {
  return name.length <= 200 && VALID_NAME.test(name);
}

/** CPython advisories are published under the name `python`; `cpython` is an alias for it. */
export function canonicalPackage(name: string): NormalizedName {
  const n = normalizeName(name);
  return (n === "cpython" ? "python" : n) as NormalizedName;
}
