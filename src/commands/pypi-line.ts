import type { Watch } from "../matching/specifiers.js";
import { pinnedVersion } from "../matching/upgrade.js";
import { firstRelease, installable, youngDays, type PypiFacts } from "../sources/pypi/pypi-facts.js";

/** What PyPI says about a watch's release, for answers and audit (no network: from the stored facts). */
export interface PypiView {
  readonly released?: string;
  readonly latest?: string;
  readonly yanked: boolean;
  readonly yankedReason?: string;
  readonly status: PypiFacts["status"];
  readonly provenance?: boolean;
  readonly repository?: string;
  readonly firstReleased?: string;
  /** Days since the first release, when under YOUNG_DAYS. */
  readonly youngDays?: number;
}

export function pypiView(facts: PypiFacts, watch: Watch, now: Date): PypiView {
  const pin = pinnedVersion(watch);
  const release = pin ? facts.releases[pin] : undefined;
  const first = firstRelease(facts);
  const days = youngDays(facts, now);
  const repository = pin ? facts.publishers[pin]?.repository : undefined;
  const latest = installable(facts)[0];
  return {
    ...(release?.uploaded && { released: release.uploaded.slice(0, 10) }),
    ...(latest && { latest }),
    yanked: Boolean(release?.yanked),
    ...(release?.yankedReason && { yankedReason: release.yankedReason }),
    status: facts.status,
    ...(release && { provenance: Boolean(release.provenanceUrl) }),
    ...(repository && { repository }),
    ...(first && { firstReleased: first.slice(0, 10) }),
    ...(days !== undefined && { youngDays: days }),
  };
}

/** Whether the view holds something worth a warning (import reports list only these; --strict-signals fails on them). */
export function notable(v: PypiView): boolean {
  return v.yanked || v.status !== "active" || v.youngDays !== undefined;
}

/** "PyPI: requests 2.32.0 released 2024-05-20, yanked (reason); latest 2.32.3; project active; no provenance". */
export function pypiLine(watch: Watch, v: PypiView): string {
  const pin = pinnedVersion(watch);
  const parts: string[] = [];
  if (pin) parts.push(`${watch.name} ${pin}${v.released ? ` released ${v.released}` : " (not on PyPI)"}${v.yanked ? `, yanked${v.yankedReason ? ` (${v.yankedReason})` : ""}` : ""}`);
  else parts.push(watch.name);
  if (v.latest) parts.push(`latest ${v.latest}`);
  parts.push(v.status === "active" ? "project active" : `project ${v.status.toUpperCase()}`);
  if (v.provenance !== undefined) parts.push(v.provenance ? `provenance${v.repository ? ` from ${v.repository}` : ""}` : "no provenance");
  if (v.youngDays !== undefined) parts.push(`⚠ first released ${v.youngDays} ${v.youngDays === 1 ? "day" : "days"} ago`);
  return `PyPI: ${parts.join("; ")}`;
}
