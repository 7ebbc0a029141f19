// `audit -f sarif` and `audit -f cyclonedx-json`, checked against the published schemas (vendored
// in test/fixtures/schemas) and read back as a code-scanning tool or an SBOM reader would.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { runCaptured } from "../helpers/cli.js";
import { allOsvRecords } from "../helpers/fixtures.js";

// ajv and its companions are CommonJS with a default export.
const require = createRequire(import.meta.url);
const { default: Ajv } = require("ajv") as typeof import("ajv");
const { default: AjvDraft04 } = require("ajv-draft-04") as typeof import("ajv-draft-04");
const { default: addFormats } = require("ajv-formats") as typeof import("ajv-formats");

const schemas = resolve(import.meta.dirname, "../fixtures/schemas");
const schema = (name: string) => JSON.parse(readFileSync(join(schemas, name), "utf8")) as Record<string, unknown>;

let bucket: FakeOsvBucket;
let dir: string;
let env: NodeJS.ProcessEnv;
let req: string;

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-interchange-"));
  env = { STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent" };
  expect((await runCaptured(["sync"], env)).code).toBe(0);
  req = join(dir, "requirements.txt");
  writeFileSync(req, "# pinned\nrequests==2.28.1\nflask==2.2.0\nurllib3==2.2.2\n");
});
afterAll(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

it("-f sarif is valid SARIF 2.1.0: one rule per advisory, each result at the pin's file and line", async () => {
  const r = await runCaptured(["audit", "-r", req, "-f", "sarif"], env);
  expect(r.code).toBe(1);
  const log = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
  // SARIF's schema is draft-04, and one of its patterns is no valid unicode regular expression.
  const ajv = new AjvDraft04({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
  addFormats(ajv);
  const validate = ajv.compile(schema("sarif-2.1.0-rtm.5.json"));
  expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ruleId: "X", level: "fatal", message: { text: "" } }] }] })).toBe(false); // the schema bites
  const [run] = log.runs;
  expect(run!.tool.driver.name).toBe("pysec-herald");
  const requests = run!.results.find((x) => x.ruleId === "PYSEC-2023-74")!;
  expect(requests.message.text).toMatch(/^requests 2\.28\.1 is affected by PYSEC-2023-74.*upgrade to 2\.31\.0/);
  expect(requests.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: req }, region: { startLine: 2 } });
  expect(new Set(run!.tool.driver.rules.map((x) => x.id)).size).toBe(run!.tool.driver.rules.length);
  expect(run!.results.every((x) => run!.tool.driver.rules.some((rule) => rule.id === x.ruleId))).toBe(true);
});

it("-f cyclonedx-json is a valid CycloneDX 1.5 BOM: every pin a component, each advisory once with what it affects", async () => {
  const r = await runCaptured(["audit", "-r", req, "-f", "cyclonedx-json"], env);
  expect(r.code).toBe(1);
  const bom = JSON.parse(r.out) as { specVersion: string; components: { purl: string; "bom-ref": string }[]; vulnerabilities: { id: string; affects: { ref: string }[]; recommendation: string }[] };
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  // The BOM schema names its companions by their SNAPSHOT file names.
  for (const name of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]) ajv.addSchema({ ...schema(name), $id: `http://cyclonedx.org/schema/${name}` });
  const validate = ajv.compile(schema("bom-1.5.SNAPSHOT.schema.json"));
  expect(validate(bom), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  expect(validate({ ...bom, components: [{ type: "a-library", name: "x" }] })).toBe(false); // the schema bites
  expect(bom.components.map((c) => c.purl)).toEqual(["pkg:pypi/requests@2.28.1", "pkg:pypi/flask@2.2.0", "pkg:pypi/urllib3@2.2.2"]);
  const v = bom.vulnerabilities.find((x) => x.id === "PYSEC-2023-74")!;
  expect(v.affects).toEqual([{ ref: "pkg:pypi/requests@2.28.1" }]);
  expect(v.recommendation).toBe("upgrade to 2.31.0");
  expect(new Set(bom.vulnerabilities.map((x) => x.id)).size).toBe(bom.vulnerabilities.length);
});
