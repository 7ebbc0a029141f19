import { expect, it } from "vitest";
import { ENV_VARS, envHelp, loadConfig, secretValues } from "../../src/config.js";

it("every variable has a Config key and a help line; defaults load", () => {
  const c = loadConfig({});
  expect(c.storeUrl).toBe("sqlite://./data/pysec-herald.sqlite");
  expect(c.sources).toEqual(["osv", "pypa", "psf", "feeds", "priority", "pypi"]);
  expect(c.pypiPollSeconds).toBe(3600);
  expect(new Set(ENV_VARS.map((v) => v.key)).size).toBe(ENV_VARS.length);
  for (const v of ENV_VARS) expect(envHelp()).toContain(v.name);
});

it("a bad value names its variable, nested ones and list elements too", () => {
  expect(() => loadConfig({ PORT: "99999" })).toThrow(/^invalid configuration: PORT: /);
  expect(() => loadConfig({ SOURCES: "osv,nope" })).toThrow(/SOURCES: /);
  expect(() => loadConfig({ DISCORD_API_URL: "not a url" })).toThrow(/DISCORD_API_URL: /);
  expect(() => loadConfig({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(/SLACK_BOT_TOKEN: SLACK_BOT_TOKEN needs SLACK_APP_TOKEN/);
  expect(() => loadConfig({ REPORT_SECRET: "short" })).toThrow(/REPORT_SECRET: must be at least 16 characters/);
  // Said in words, not "expected number, received NaN".
  expect(() => loadConfig({ OSV_POLL_SECONDS: "abc" })).toThrow(/^invalid configuration: OSV_POLL_SECONDS: must be a whole number$/);
  expect(() => loadConfig({ OSV_POLL_SECONDS: "0" })).toThrow(/OSV_POLL_SECONDS: must be more than 0/);
  expect(() => loadConfig({ DISCORD_TOKEN: "t" })).toThrow(/DISCORD_APPLICATION_ID: DISCORD_TOKEN needs DISCORD_APPLICATION_ID/);
  expect(() => loadConfig({ DISCORD_APPLICATION_ID: "1" })).toThrow(/DISCORD_TOKEN: DISCORD_APPLICATION_ID needs DISCORD_TOKEN/);
});

it("secrets are known, for redaction, including passwords inside store URLs", () => {
  expect(secretValues({ SLACK_BOT_TOKEN: "xoxb-secret", STORE_URL: "redis://:p4ssw0rd@h:6379", PORT: "8080" }).sort()).toEqual(["p4ssw0rd", "xoxb-secret"]);
});
