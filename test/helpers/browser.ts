import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { realClockEnv } from "./moved-clock.js";

/** Debian's Chromium (.ci/run installs the chromium package); nothing is downloaded. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Whether the browser tests can run here: without Chromium they are skipped with one line saying
 * what to install, except under CI=true, where a missing browser is an error.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env["CI"] === "true") throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  console.log(`browser tests skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
  return false;
}

/** Headless Chromium that reaches nothing but 127.0.0.1. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: realClockEnv(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
}
