// .ci/run runs the suite a second time with the system date a year ahead, under libfaketime
// (LD_PRELOAD plus FAKETIME* variables). Bins the tests start are code under test and take the
// moved date with them; the servers and the browser the tests use are infrastructure and run on
// the real clock, as they would on another machine (Redis, initdb, Python's http.server and
// Chromium hang or crash with libfaketime preloaded).

const moved = (name: string) => name === "LD_PRELOAD" || name.startsWith("FAKETIME");

/** What a bin started by a test inherits besides its own variables: PATH and the moved date, if any. */
export function childEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && (e[0] === "PATH" || moved(e[0]))));
}

/** This process's environment without the moved date: for the servers and the browser. */
export function realClockEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !moved(e[0])));
}
