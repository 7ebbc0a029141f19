import { destination, pino, type Logger } from "pino";

export type { Logger };

/**
 * Root logger: JSON to stderr (stdout belongs to the console adapter and CLI output).
 * Every secret value (chat tokens) is replaced wherever it would appear in a line, whatever the field.
 */
export function createLogger(level: string, secretValues: readonly string[] = []): Logger {
  const secrets = secretValues.filter((s) => s.length >= 4);
  return pino(
    {
      level,
      redact: { paths: ["token", "*.token", "headers.authorization", "*.headers.authorization"], censor: "[redacted]" },
      hooks: {
        streamWrite: (line) => secrets.reduce((out, s) => out.split(s).join("[redacted]"), line),
      },
    },
    destination(2),
  );
}
