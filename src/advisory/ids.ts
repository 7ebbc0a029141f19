// Pending records that OSV itself ignores until an id is assigned.
const IGNORED = [/^PYSEC-0000-/, /^MAL-0000-/];

export function isIgnoredId(id: string): boolean {
  return id === "" || IGNORED.some((re) => re.test(id));
}

/** Malicious packages, and projects PyPI quarantined (as urgent: unsafe to install at all). */
export function isMaliciousId(id: string): boolean {
  return id.startsWith("MAL-") || id.startsWith("PYPI-QUARANTINE-");
}

// Ids are used in store keys, file names and URLs, so only the characters OSV ids use are accepted.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id);
}

export function osvUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}
