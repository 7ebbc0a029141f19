import { explain, major } from "@renovatebot/pep440";
import { cmp, isVersion } from "./intervals.js";
import type { Watch } from "./specifiers.js";

export interface Upgrade {
  readonly pinned: string;
  readonly fix: string;
  /** The smallest upgrade within the pin's release line when there is one: `django>=4.2.15,<5`. */
  readonly spec: string;
}

/** The version a watch pins (`name==version`, as written), if it pins one. */
export function pinnedVersion(watch: Watch): string | undefined {
  const m = /^===?([^,]+)$/.exec(watch.specifier);
  return m && isVersion(m[1]!) ? m[1]! : undefined;
}

/** An alpha, beta, rc or dev release. */
export function isPrerelease(v: string): boolean {
  return explain(v)?.is_prerelease ?? false;
}

/**
 * The versions above `pin` that upgrade advice may name, ascending: no pre-release (alpha, beta,
 * rc, dev) unless the pin is one itself.
 */
export function upgradeCandidates(pin: string, versions: readonly string[]): string[] {
  const allowPre = isPrerelease(pin);
  return [...new Set(versions)].filter((v) => isVersion(v) && cmp(v, pin) > 0 && (allowPre || !isPrerelease(v))).sort(cmp);
}

/** For a pinned watch (`name==version`), the smallest fixed version above the pin, same major version first. */
export function upgradeFor(watch: Watch, fixed: readonly string[]): Upgrade | undefined {
  const pin = pinnedVersion(watch);
  if (!pin) return undefined;
  const above = upgradeCandidates(pin, fixed);
  if (above.length === 0) return undefined;
  const line = major(pin);
  const sameLine = above.find((f) => major(f) === line);
  const fix = sameLine ?? above[0]!;
  return { pinned: `${watch.name}==${pin}`, fix, spec: sameLine ? `${watch.name}>=${fix},<${line + 1}` : `${watch.name}>=${fix}` };
}

/** "You pin django==4.2.1; fixed in 4.2.15; upgrade: django>=4.2.15,<5". */
export function upgradeAdvice(u: Upgrade): string {
  return `You pin ${u.pinned}; fixed in ${u.fix}; upgrade: ${u.spec}`;
}
