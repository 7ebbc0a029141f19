import type { Writable } from "node:stream";
import type { StoredAdvisory } from "../advisory/diff.js";
import { affectingOf, formatFinding, type Finding } from "../lookup.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { Pin } from "./requirements.js";
import { pypiLine, type PypiView } from "../commands/pypi-line.js";
import { cyclonedxBom, sarifLog, type InterchangeMeta } from "./interchange.js";

export interface AuditResult {
  readonly pin: Pin;
  readonly findings: readonly Finding[];
  /** With --signals: what PyPI says of the pinned release (null: nothing known yet). */
  readonly signals?: PypiView | null;
}

/**
 * Each package's advisories are read once per run and each (package, version) evaluated once:
 * a file pinning one package thousands of times costs what its distinct versions cost.
 */
export async function auditPins(advisories: AdvisoryStore, pins: readonly Pin[]): Promise<AuditResult[]> {
  const byPackage = new Map<string, readonly StoredAdvisory[]>();
  const byPin = new Map<string, readonly Finding[]>();
  const results: AuditResult[] = [];
  for (const pin of pins) {
    const key = `${pin.name}==${pin.version}`;
    let findings = byPin.get(key);
    if (!findings) {
      let candidates = byPackage.get(pin.name);
      if (!candidates) byPackage.set(pin.name, (candidates = await advisories.byPackage(pin.name)));
      byPin.set(key, (findings = affectingOf(candidates, { name: pin.name, specifier: `==${pin.version}` })));
    }
    results.push({ pin, findings });
  }
  return results;
}

// Small pieces are gathered into writes of about a pipe buffer: one write per line of a report made each a
// separate trip through a pipe's backpressure.
const CHUNK = 16 * 1024;

/** Writes in chunks, waiting whenever the stream asks to (a huge report never sits whole in memory). */
async function writeAll(out: Writable, pieces: Iterable<string>): Promise<void> {
  let chunk: string[] = [];
  let size = 0;
  const flush = async () => {
    const ok = out.write(chunk.join(""));
    chunk = [];
    size = 0;
    if (!ok) await new Promise<void>((resolve) => out.once("drain", resolve));
  };
  for (const piece of pieces) {
    chunk.push(piece);
    size += piece.length;
    if (size >= CHUNK) await flush();
  }
  if (size > 0) await flush();
}

function* jsonPieces(results: readonly AuditResult[], warnings: readonly string[]): Generator<string> {
  yield '{"dependencies":[';
  let first = true;
  // One description string per advisory, however many pins it affects.
  const vuln = new Map<string, string>();
  for (const r of results) {
    const { pin, findings } = r;
    const vulns = findings.map((f) => {
      const a = f.stored.advisory;
      let text = vuln.get(a.id);
      if (text === undefined) vuln.set(a.id, (text = JSON.stringify({ id: a.id, fix_versions: f.effect.fixed, aliases: a.aliases, description: a.details ?? a.summary ?? "" })));
      return text;
    });
    const signals = r.signals === undefined ? "" : `,"signals":${JSON.stringify(r.signals)}`;
    yield `${first ? "" : ","}{"name":${JSON.stringify(pin.name)},"version":${JSON.stringify(pin.version)},"vulns":[${vulns.join(",")}]${signals}}`;
    first = false;
  }
  yield `],"fixes":[]${warnings.length ? `,"warnings":${JSON.stringify(warnings)}` : ""}}\n`;
}

/**
 * The pins with findings, how many findings, and "N package(s)" for the report lines. Totals count
 * each package once, however often a file pins it (pip would refuse a file that does).
 */
function tally(results: readonly AuditResult[]) {
  const distinct = (rs: readonly AuditResult[]) => [...new Map(rs.map((r) => [`${r.pin.name}==${r.pin.version}`, r])).values()];
  const hit = distinct(results.filter((r) => r.findings.length > 0));
  const count = hit.reduce((n, r) => n + r.findings.length, 0);
  const all = new Set(results.map((r) => r.pin.name)).size;
  const hitPackages = new Set(hit.map((r) => r.pin.name)).size;
  return { hit, count, all, hitPackages, vulnerabilities: `${count} known ${count === 1 ? "vulnerability" : "vulnerabilities"}`, packages: (n: number) => `${n} ${n === 1 ? "package" : "packages"}` };
}

function* textPieces(results: readonly AuditResult[]): Generator<string> {
  const { hit, count, all, hitPackages, vulnerabilities, packages } = tally(results);
  yield* signalLines(results);
  if (count === 0) {
    yield `No known vulnerabilities found in ${packages(all)}.\n`;
    return;
  }
  yield `Found ${vulnerabilities} in ${hitPackages} of ${packages(all)}:\n`;
  const line = new Map<Finding, string>();
  for (const r of hit) {
    yield `${r.pin.name}==${r.pin.version}\n`;
    for (const f of r.findings) {
      let text = line.get(f);
      if (text === undefined) line.set(f, (text = `  ${formatFinding(f)}\n`));
      yield text;
    }
  }
}

/** With --signals, one "PyPI: …" line per pin PyPI's facts are known for. */
function* signalLines(results: readonly AuditResult[]): Generator<string> {
  for (const r of results) if (r.signals) yield `${pypiLine({ name: r.pin.name, specifier: `==${r.pin.version}` }, r.signals)}\n`;
}

const SIGNAL_HEAD = ["Released", "Latest", "Yanked", "Status", "Provenance"];

function signalCells(v: PypiView | null | undefined): string[] {
  if (!v) return ["?", "?", "?", "?", "?"];
  return [v.released ?? "?", v.latest ?? "?", v.yanked ? `yes${v.yankedReason ? ` (${v.yankedReason})` : ""}` : "no", v.youngDays !== undefined ? `${v.status}, ${v.youngDays} days old` : v.status, v.provenance === undefined ? "?" : v.provenance ? v.repository ?? "yes" : "no"];
}

/** pip-audit's default: one row per vulnerability, columns padded to their widest cell; with --signals, PyPI's columns and a row for every pin. */
function* tablePieces(results: readonly AuditResult[], markdown: boolean): Generator<string> {
  const withSignals = results.some((r) => r.signals !== undefined);
  const rows = results.flatMap(({ pin, findings, signals }) => {
    const extra = withSignals ? signalCells(signals) : [];
    if (findings.length === 0) return withSignals ? [[pin.name, pin.version, "", "", ...extra]] : [];
    return findings.map((f) => [pin.name, pin.version, f.stored.advisory.id, f.effect.fixed.join(","), ...extra]);
  });
  const head = ["Name", "Version", "ID", "Fix Versions", ...(withSignals ? SIGNAL_HEAD : [])];
  if (markdown) {
    yield `| ${head.join(" | ")} |\n| ${head.map(() => "---").join(" | ")} |\n`;
    for (const r of rows) yield `| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |\n`;
    return;
  }
  if (rows.length === 0) return;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `${cells.map((c, i) => c.padEnd(widths[i]!)).join(" ").trimEnd()}\n`;
  yield line(head);
  yield line(widths.map((w) => "-".repeat(w)));
  for (const r of rows) yield line(r);
}

export const AUDIT_FORMATS = ["columns", "json", "markdown", "text", "sarif", "cyclonedx-json"] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/**
 * `columns` (pip-audit's table, the default), `markdown`, `json` (pip-audit's JSON shape, so tools
 * that read pip-audit output can read ours), `text` (each finding with its summary and link),
 * `sarif` (for code scanning) or `cyclonedx-json` (the dependencies with their vulnerabilities).
 */
export function writeAudit(out: Writable, results: readonly AuditResult[], format: AuditFormat, warnings: readonly string[], meta: InterchangeMeta): Promise<void> {
  if (format === "sarif" || format === "cyclonedx-json") return writeAll(out, [`${JSON.stringify(format === "sarif" ? sarifLog(results, meta) : cyclonedxBom(results, meta), null, 2)}\n`]);
  const pieces = format === "json" ? jsonPieces(results, warnings) : format === "text" ? textPieces(results) : tablePieces(results, format === "markdown");
  return writeAll(out, pieces);
}

/** pip-audit's closing line, for standard error: "Found 3 known vulnerabilities in 2 packages". */
export function auditSummary(results: readonly AuditResult[]): string {
  const { count, all, hitPackages, vulnerabilities, packages } = tally(results);
  return count === 0 ? `No known vulnerabilities found in ${packages(all)}` : `Found ${vulnerabilities} in ${packages(hitPackages)}`;
}

/** Drops findings whose id or alias is one of `ignored` (--ignore-vuln), as pip-audit does. */
export function ignoring(results: readonly AuditResult[], ignored: readonly string[]): AuditResult[] {
  if (ignored.length === 0) return [...results];
  const skip = new Set(ignored.map((i) => i.toUpperCase()));
  return results.map((r) => ({ ...r, findings: r.findings.filter((f) => ![f.stored.advisory.id, ...f.stored.advisory.aliases].some((id) => skip.has(id.toUpperCase()))) }));
}
