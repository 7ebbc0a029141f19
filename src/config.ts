import { z } from "zod";

/** One row per environment variable: the single source for parsing, `--help` and log redaction. */
interface EnvVar {
  readonly name: string;
  readonly description: string;
  readonly default: string;
  readonly secret?: boolean;
}

export const ENV_VARS = [
  { name: "STORE_URL", description: "Where state is kept (sqlite:// file; the embedded default)", default: "sqlite://./data/pysec-herald.sqlite" },
  { name: "OSV_BUCKET_URL", description: "Base URL of the OSV export bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json)", default: "https://storage.googleapis.com/osv-vulnerabilities" },
  { name: "OSV_POLL_SECONDS", description: "Seconds between polls of OSV's change list", default: "300" },
  { name: "HTTP_TIMEOUT_SECONDS", description: "Timeout of one upstream HTTP request", default: "30" },
  { name: "PYSEC_HERALD_WATCH", description: "Watches of the console channel, separated by spaces or newlines (e.g. 'requests django>=4.2,<5')", default: "" },
  { name: "LOG_LEVEL", description: "pino log level (fatal, error, warn, info, debug, trace, silent)", default: "info" },
] as const satisfies readonly EnvVar[];

const positiveInt = z.coerce.number().int().positive();

const ConfigSchema = z.object({
  storeUrl: z.string().min(1),
  osvBucketUrl: z.string().url().transform((u) => u.replace(/\/+$/, "")),
  osvPollSeconds: positiveInt,
  httpTimeoutSeconds: positiveInt,
  watch: z.string(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
});

export type Config = z.infer<typeof ConfigSchema>;

function read(env: NodeJS.ProcessEnv, name: (typeof ENV_VARS)[number]["name"]): string {
  const row = ENV_VARS.find((v) => v.name === name);
  const value = env[name];
  return value === undefined || value === "" ? (row?.default ?? "") : value;
}

/** Builds the configuration from the environment; throws a readable error naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse({
    storeUrl: read(env, "STORE_URL"),
    osvBucketUrl: read(env, "OSV_BUCKET_URL"),
    osvPollSeconds: read(env, "OSV_POLL_SECONDS"),
    httpTimeoutSeconds: read(env, "HTTP_TIMEOUT_SECONDS"),
    watch: read(env, "PYSEC_HERALD_WATCH"),
    logLevel: read(env, "LOG_LEVEL"),
  });
  if (parsed.success) return parsed.data;
  const names: Record<string, string> = {
    storeUrl: "STORE_URL", osvBucketUrl: "OSV_BUCKET_URL", osvPollSeconds: "OSV_POLL_SECONDS",
    httpTimeoutSeconds: "HTTP_TIMEOUT_SECONDS", watch: "PYSEC_HERALD_WATCH", logLevel: "LOG_LEVEL",
  };
  const issues = parsed.error.issues.map((i) => `${names[String(i.path[0])] ?? i.path.join(".")}: ${i.message}`);
  throw new Error(`invalid configuration: ${issues.join("; ")}`);
}

/** Names of variables whose values must never be printed or logged. */
export function secretNames(): string[] {
  return (ENV_VARS as readonly EnvVar[]).filter((v) => v.secret).map((v) => v.name);
}

/** The environment section of `--help`: every variable with its default; secrets show no value. */
export function envHelp(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return (ENV_VARS as readonly EnvVar[])
    .map((v) => `  ${v.name.padEnd(width)}  ${v.description}\n  ${"".padEnd(width)}  default: ${v.secret ? "(secret, unset)" : v.default || "(empty)"}`)
    .join("\n");
}
