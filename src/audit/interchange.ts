// The audit in the formats other tools read: SARIF 2.1.0, which code-scanning tools show as
// findings, and CycloneDX 1.5 JSON, the dependencies with their vulnerabilities (as pip-audit's
// `--format cyclonedx-json` writes them). Both are checked against their published schemas in
// the tests (test/fixtures/schemas).
import { osvUrl } from "../advisory/ids.js";
import type { Severity } from "../advisory/severity.js";
import { upgradeFor } from "../matching/upgrade.js";
import type { Finding } from "../lookup.js";
import type { AuditResult } from "./audit.js";
import type { Pin } from "./requirements.js";

export interface InterchangeMeta {
  readonly toolVersion: string;
  readonly now: Date;
}

const purl = (name: string, version: string) => `pkg:pypi/${encodeURIComponent(name)}@${encodeURIComponent(version)}`;

/** SARIF's levels: what a code-scanning tool colours red, yellow or grey. */
function level(s: Severity): "error" | "warning" | "note" {
  return s.rating === "critical" || s.rating === "high" ? "error" : s.rating === "medium" ? "warning" : "note";
}

/** What to do about one finding for one pin: the smallest upgrade that fixes it, or that there is none. */
function advice(f: Finding, pin: Pin): string {
  const upgrade = upgradeFor({ name: pin.name, specifier: `==${pin.version}` }, f.effect.fixed);
  return upgrade ? `upgrade to ${upgrade.fix}` : f.effect.fixed.length ? `fixed in ${f.effect.fixed.join(", ")}` : "no fixed version yet";
}

/** One rule per advisory, one result per (pin, advisory), located at the pin's file and line. */
export function sarifLog(results: readonly AuditResult[], meta: InterchangeMeta): unknown {
  const rules = new Map<string, unknown>();
  const out: unknown[] = [];
  for (const { pin, findings } of results) {
    for (const f of findings) {
      const a = f.stored.advisory;
      if (!rules.has(a.id)) {
        rules.set(a.id, {
          id: a.id,
          shortDescription: { text: (a.summary ?? a.id).slice(0, 1000) },
          ...(a.details && { fullDescription: { text: a.details.slice(0, 10_000) } }),
          helpUri: osvUrl(a.id),
          help: { text: `${a.id}${a.aliases.length ? ` (${a.aliases.join(", ")})` : ""}: ${osvUrl(a.id)}` },
          properties: { tags: ["security", "vulnerability"], ...(f.severity.score !== undefined && { "security-severity": f.severity.score.toFixed(1) }) },
        });
      }
      out.push({
        ruleId: a.id,
        level: level(f.severity),
        message: { text: `${pin.name} ${pin.version} is affected by ${a.id}${a.summary ? `: ${a.summary.slice(0, 300)}` : ""} (${advice(f, pin)})` },
        locations: [{ physicalLocation: { artifactLocation: { uri: pin.file === "-" ? "stdin" : pin.file }, ...(pin.line > 0 && { region: { startLine: pin.line } }) } }],
        partialFingerprints: { "pysec-herald/v1": `${pin.name}==${pin.version}|${a.id}` },
      });
    }
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "pysec-herald", version: meta.toolVersion, rules: [...rules.values()] } }, results: out }],
  };
}

const CDX_SEVERITY = new Set(["critical", "high", "medium", "low", "none"]);
const CDX_METHOD: Partial<Record<Severity["from"], string>> = { cvss_v4: "CVSSv4", cvss_v3: "CVSSv31", cvss_v2: "CVSSv2" };

/** The pinned dependencies as components, and each advisory once, naming the components it affects. */
export function cyclonedxBom(results: readonly AuditResult[], meta: InterchangeMeta): unknown {
  const components = new Map<string, unknown>();
  const vulns = new Map<string, { entry: Record<string, unknown>; affects: Set<string> }>();
  for (const { pin, findings } of results) {
    const ref = purl(pin.name, pin.version);
    components.set(ref, { type: "library", "bom-ref": ref, name: pin.name, version: pin.version, purl: ref });
    for (const f of findings) {
      const a = f.stored.advisory;
      const known = vulns.get(a.id);
      if (known) {
        known.affects.add(ref);
        continue;
      }
      const method = CDX_METHOD[f.severity.from];
      const rating = {
        severity: CDX_SEVERITY.has(f.severity.rating) ? f.severity.rating : "unknown",
        ...(f.severity.score !== undefined && { score: f.severity.score }),
        ...(method && { method }),
        ...(f.severity.vector && { vector: f.severity.vector }),
      };
      vulns.set(a.id, {
        entry: {
          "bom-ref": `vuln:${a.id}`,
          id: a.id,
          source: { name: "OSV", url: osvUrl(a.id) },
          ...(a.aliases.length && { references: a.aliases.map((id) => ({ id, source: { name: "OSV", url: osvUrl(id) } })) }),
          ratings: [rating],
          ...(a.summary && { description: a.summary }),
          ...(a.details && { detail: a.details }),
          recommendation: advice(f, pin),
        },
        affects: new Set([ref]),
      });
    }
  }
  return {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    version: 1,
    metadata: { timestamp: meta.now.toISOString(), tools: { components: [{ type: "application", name: "pysec-herald", version: meta.toolVersion }] } },
    components: [...components.values()],
    vulnerabilities: [...vulns.values()].map(({ entry, affects }) => ({ ...entry, affects: [...affects].map((ref) => ({ ref })) })),
  };
}
