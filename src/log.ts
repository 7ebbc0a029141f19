import { createRequire } from "node:module";
import { destination, pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Human-readable lines for a person at a terminal (pino-pretty, loaded only then), written synchronously. */
function prettyStderr(color: boolean): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as (opts: Record<string, unknown>) => DestinationStream;
  // One line per entry: a terminal reads a column of lines, not an object per warning.
  // The source and the error go into the line itself.
  return pretty({
    destination: 2, sync: true, colorize: color, singleLine: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,source,err",
    messageFormat: "{if source}{source}: {end}{msg}{if err} ({err}){end}",
  });
}

/**
 * Root logger on stderr (stdout belongs to the console adapter and CLI output): JSON lines, or
 * `pretty` ones for a terminal. Every secret value (chat tokens) is replaced wherever it would
 * appear in a line, whatever the field, before either format writes it. `color: false` (NO_COLOR)
 * writes pretty lines without escape codes.
 */
export function createLogger(level: string, secretValues: readonly string[] = [], format: "json" | "pretty" = "json", color = true): Logger {
  const secrets = secretValues.filter((s) => s.length >= 4);
  return pino(
    {
      level,
      redact: { paths: ["token", "*.token", "headers.authorization", "*.headers.authorization"], censor: "[redacted]" },
      hooks: {
        streamWrite: (line) => secrets.reduce((out, s) => out.split(s).join("[redacted]"), line),
      },
    },
    format === "pretty" ? prettyStderr(color) : destination(2),
  );
}
