import { expect, it } from "vitest";
import { cannotTellAbout, mirrorState } from "../../../src/mirror-state.js";
import { allClearText } from "../../../src/render/digest.js";

const now = new Date("2026-11-27T09:00:00Z");
const title = "pysec-herald digest, 2026-11-27";

it("says all clear only when the mirror can tell", () => {
  expect(allClearText(mirrorState(true, { validators: {}, lastSuccess: "2026-11-27T08:00:00Z" }, now, 24), title)).toBe(`${title}: all clear, nothing new for the packages this channel watches.`);
  const never = mirrorState(false, { validators: {}, lastError: { at: "2026-11-27T08:00:00Z", message: "connect ECONNREFUSED" } }, now, 24);
  expect(allClearText(never, title)).toBe(`${title}: nothing to report, but I cannot say all is clear: the advisory mirror is not ready yet (OSV unreachable since 2026-11-27T08:00:00Z: connect ECONNREFUSED); I cannot tell whether any watched package is affected.`);
  const stale = allClearText(mirrorState(true, { validators: {}, lastSuccess: "2026-11-25T09:00:00Z" }, now, 24), title);
  expect(stale).toContain("this is not an all-clear");
  expect(stale).not.toContain("all clear,");
});

it("a channel watching python is not told all clear while the PSF database has not been read", () => {
  const ready = mirrorState(true, { validators: {}, lastSuccess: "2026-11-27T08:00:00Z" }, now, 24);
  const cpython = cannotTellAbout(["python"], ready, { validators: {} }, "python");
  expect(allClearText(ready, title, cpython)).toBe(`${title}: nothing to report, but I cannot say all is clear: the PSF advisory database, where CPython's advisories are published, has not been read (the psf source has not read it yet; it is on by default, see SOURCES); I cannot tell whether python is affected.`);
  expect(cannotTellAbout(["python"], ready, { validators: {}, lastSuccess: "2026-11-27T08:00:00Z" }, "python")).toBeUndefined();
});
