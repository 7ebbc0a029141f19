import { findAffecting, formatFinding, type Finding } from "../lookup.js";
import type { AdvisoryStore } from "../store/ports.js";
import type { Pin } from "./requirements.js";
import { mapLimit } from "../util/map-limit.js";

export interface AuditResult {
  readonly pin: Pin;
  readonly findings: Finding[];
}

export async function auditPins(advisories: AdvisoryStore, pins: readonly Pin[]): Promise<AuditResult[]> {
  // Store reads run on libuv's thread pool: a few in flight at once keep it busy.
  return mapLimit(pins, 8, async (pin) => ({ pin, findings: await findAffecting(advisories, { name: pin.name, specifier: `==${pin.version}` }) }));
}

/** pip-audit's JSON shape, so tools that read pip-audit output can read ours. */
export function auditJson(results: readonly AuditResult[]): unknown {
  return {
    dependencies: results.map(({ pin, findings }) => ({
      name: pin.name,
      version: pin.version,
      vulns: findings.map((f) => ({
        id: f.stored.advisory.id,
        fix_versions: f.effect.fixed,
        aliases: f.stored.advisory.aliases,
        description: f.stored.advisory.details ?? f.stored.advisory.summary ?? "",
      })),
    })),
    fixes: [],
  };
}

export function auditText(results: readonly AuditResult[]): string {
  const hit = results.filter((r) => r.findings.length > 0);
  const count = hit.reduce((n, r) => n + r.findings.length, 0);
  if (count === 0) return `No known vulnerabilities found in ${results.length} packages.`;
  const lines = [`Found ${count} known ${count === 1 ? "vulnerability" : "vulnerabilities"} in ${hit.length} of ${results.length} packages:`];
  for (const r of hit) {
    lines.push(`${r.pin.name}==${r.pin.version}`);
    for (const f of r.findings) lines.push(`  ${formatFinding(f)}`);
  }
  return lines.join("\n");
}
