import { firstRelease, installable, youngDays, type PypiFacts } from "./pypi-facts.js";

/** What a channel can ask to hear (`signals all|security|off`): security is what points at a compromise. */
export type SignalKind = "quarantined" | "archived" | "deprecated" | "yanked" | "attestations-lost" | "publisher-changed" | "license-changed" | "new-project";
export const SECURITY_SIGNALS: ReadonlySet<SignalKind> = new Set(["quarantined", "attestations-lost", "publisher-changed"]);

export interface PypiSignal {
  /** Stable: the same fact is the same id on every poll (PYPI-YANK-<name>-<version>, …). */
  readonly id: string;
  readonly kind: SignalKind;
  readonly name: string;
  /** The one release it is about, for those only (a yank reaches the pins of that version). */
  readonly version?: string;
  readonly summary: string;
  readonly details: string;
  /** The project's page on the configured PyPI (set by the source). */
  readonly url?: string;
}

const ID = (parts: string[]) => `PYPI-${parts.join("-")}`.replace(/[^A-Za-z0-9._:-]/g, "_").slice(0, 128);

/**
 * The signals what PyPI says now carries, minus those already sent. Pure: the facts in, the new
 * signals out; what is compared is the newest installable release with the one before it.
 */
export function signalsOf(facts: PypiFacts, now: Date): PypiSignal[] {
  const { name } = facts;
  const out: PypiSignal[] = [];
  const reason = facts.statusReason ? ` PyPI says: ${facts.statusReason}` : "";
  if (facts.status === "quarantined") {
    out.push({ id: ID(["QUARANTINE", name]), kind: "quarantined", name, summary: `PyPI has quarantined ${name}: it is considered unsafe to use (under investigation, e.g. for malware)`, details: `PyPI no longer serves any file of ${name} while it investigates.${reason} Do not install it; if it is installed, check where it came from and what it may have run.` });
  } else if (facts.status === "archived" || facts.status === "deprecated") {
    const what = facts.status === "archived" ? "archived: its maintainers expect no further releases" : "deprecated: it is obsolete and may have been superseded";
    out.push({ id: ID([facts.status.toUpperCase(), name]), kind: facts.status, name, summary: `${name} is ${what}`, details: `PyPI marks ${name} as ${facts.status}.${reason} Plan a replacement; security fixes are unlikely to come.` });
  }
  for (const [version, r] of Object.entries(facts.releases)) {
    if (!r.yanked) continue;
    out.push({ id: ID(["YANK", name, version]), kind: "yanked", name, version, summary: `${name} ${version} was yanked from PyPI${r.yankedReason ? `: ${r.yankedReason}` : ""}`, details: `The maintainers withdrew ${name} ${version}${r.yankedReason ? ` (reason given: ${r.yankedReason})` : " without giving a reason"}. Move your pin to another release.` });
  }
  const [latest, previous] = installable(facts);
  if (latest && previous) {
    const l = facts.releases[latest]!;
    const p = facts.releases[previous]!;
    const verify = "This is a sign to check, not a verdict: verify before upgrading.";
    if (p.provenanceUrl && !l.provenanceUrl) {
      out.push({ id: ID(["ATTEST", name, latest]), kind: "attestations-lost", name, summary: `Possible compromise of ${name}: ${latest} has no provenance attestations, ${previous} had them`, details: `${name} ${latest} was uploaded without the PEP 740 attestations that ${previous} carried; an upload from a stolen token or account looks like this. ${verify}` });
    }
    const lp = facts.publishers[latest];
    const pp = facts.publishers[previous];
    if (lp && pp && (lp.repository !== pp.repository || lp.workflow !== pp.workflow || lp.kind !== pp.kind)) {
      const show = (x: NonNullable<typeof lp>) => `${x.kind} ${x.repository ?? "?"}${x.workflow ? ` (${x.workflow})` : ""}`;
      out.push({ id: ID(["PUBLISHER", name, latest]), kind: "publisher-changed", name, summary: `Possible compromise of ${name}: ${latest} was published from a different place than ${previous}`, details: `${previous} was published by ${show(pp)}; ${latest} by ${show(lp)}. ${verify}` });
    }
    const ll = facts.licenses[latest];
    const pl = facts.licenses[previous];
    // "Apache 2.0" and "Apache-2.0" are one license written two ways.
    const same = (a: string, b: string) => a.toLowerCase().replace(/[^a-z0-9+]/g, "") === b.toLowerCase().replace(/[^a-z0-9+]/g, "");
    if (ll && pl && !same(ll, pl)) {
      out.push({ id: ID(["LICENSE", name, latest]), kind: "license-changed", name, summary: `${name} changed its license in ${latest}: ${pl} → ${ll}`, details: `${name} ${previous} declared "${pl}"; ${latest} declares "${ll}". Check that the new terms suit you before upgrading.` });
    }
  }
  const days = youngDays(facts, now);
  const first = firstRelease(facts);
  if (days !== undefined && first) {
    out.push({ id: ID(["NEW", name]), kind: "new-project", name, summary: `${name} is new: first released ${days} ${days === 1 ? "day" : "days"} ago`, details: `${name} first appeared on PyPI on ${first.slice(0, 10)}. Typosquats and hijacks are usually days old: check that it is the project you mean.` });
  }
  const sent = new Set(facts.emitted);
  return out.filter((s) => !sent.has(s.id));
}
