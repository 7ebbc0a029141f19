import { destination, pino, type Logger } from "pino";

export type { Logger };

/** Root logger: JSON to stderr (stdout belongs to the console adapter and CLI output). */
export function createLogger(level: string, secrets: readonly string[] = []): Logger {
  return pino(
    {
      level,
      redact: { paths: ["token", "*.token", "headers.authorization", "*.headers.authorization", ...secrets], censor: "[redacted]" },
    },
    destination(2),
  );
}
