import { major } from "@renovatebot/pep440";
import { cmp, isVersion } from "./intervals.js";
import type { Watch } from "./specifiers.js";

export interface Upgrade {
  readonly pinned: string;
  readonly fix: string;
  /** The smallest upgrade within the pin's release line when there is one: `django>=4.2.15,<5`. */
  readonly spec: string;
}

/** For a pinned watch (`name==version`), the smallest fixed version above the pin, same major version first. */
export function upgradeFor(watch: Watch, fixed: readonly string[]): Upgrade | undefined {
  const m = /^===?([^,]+)$/.exec(watch.specifier);
  if (!m || !isVersion(m[1]!)) return undefined;
  const pin = m[1]!;
  const above = fixed.filter((f) => isVersion(f) && cmp(f, pin) > 0).sort(cmp);
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
