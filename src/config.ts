import { z } from "zod";

/** One row per environment variable: the single source for parsing, `--help` and log redaction. */
interface EnvVar {
  readonly name: string;
  /** Where its value goes in Config ("port", "discord.token"). */
  readonly key: string;
  readonly description: string;
  readonly default: string;
  readonly secret?: boolean;
}

export const ENV_VARS = [
  { name: "STORE_URL", key: "storeUrl", description: "Where state is kept: sqlite://<path> (the embedded default), redis://host:port[/db] or postgresql://user@host/db (shared by several instances)", default: "sqlite://./data/pysec-herald.sqlite" },
  { name: "QUEUE_URL", key: "queueUrl", description: "Redis for BullMQ (redis://host:port[/db]): delivery queues per platform and poll/digest job schedulers shared by several instances; unset runs everything in this process on the store's outbox", default: "" },
  { name: "ROLES", key: "roles", description: "What this instance does, comma-separated: poller (polls, matching, digests), delivery (sends queued messages), discord, slack, telegram (answers that platform's commands)", default: "poller,delivery,discord,slack,telegram" },
  { name: "OSV_BUCKET_URL", key: "osvBucketUrl", description: "Base URL of the OSV export bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json)", default: "https://storage.googleapis.com/osv-vulnerabilities" },
  { name: "OSV_POLL_SECONDS", key: "osvPollSeconds", description: "Seconds between polls of OSV's change list", default: "300" },
  { name: "SOURCES", key: "sources", description: "Advisory sources to poll, comma-separated: osv, pypa, psf, feeds, priority, pypi", default: "osv,pypa,psf,feeds,priority,pypi" },
  { name: "GITHUB_API_URL", key: "githubApiUrl", description: "GitHub REST API base (PyPA and PSF advisory-database commits)", default: "https://api.github.com" },
  { name: "GITHUB_RAW_URL", key: "githubRawUrl", description: "GitHub raw file host", default: "https://raw.githubusercontent.com" },
  { name: "GITHUB_TOKEN", key: "githubToken", description: "Optional GitHub token (higher rate limit); unauthenticated works at the default interval", default: "", secret: true },
  { name: "GITHUB_POLL_SECONDS", key: "githubPollSeconds", description: "Seconds between polls of the PyPA and PSF repositories", default: "300" },
  { name: "OSV_API_URL", key: "osvApiUrl", description: "OSV API base, used to resolve the CPython versions of PSF advisories", default: "https://api.osv.dev" },
  { name: "CVE_API_URL", key: "cveApiUrl", description: "CVE Services API base, the fallback for CPython versions", default: "https://cveawg.mitre.org" },
  { name: "PSF_ANNOUNCE_FEED_URL", key: "announceFeedUrl", description: "Feed of the security-announce@python.org list (RSS or Atom)", default: "https://mail.python.org/archives/list/security-announce@python.org/feed/" },
  { name: "PYTHON_INSIDER_FEED_URL", key: "insiderFeedUrl", description: "Python Insider blog feed (RSS or Atom); only security posts are used", default: "https://blog.python.org/rss.xml" },
  { name: "FEEDS_POLL_SECONDS", key: "feedsPollSeconds", description: "Seconds between polls of the two feeds", default: "900" },
  { name: "KEV_URL", key: "kevUrl", description: "CISA Known Exploited Vulnerabilities catalog (JSON)", default: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json" },
  { name: "EPSS_URL", key: "epssUrl", description: "FIRST EPSS daily scores (CSV, optionally .gz)", default: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz" },
  { name: "PRIORITY_POLL_SECONDS", key: "priorityPollSeconds", description: "Seconds between refreshes of KEV and EPSS", default: "21600" },
  { name: "PYPI_URL", key: "pypiUrl", description: "PyPI, for its own data on watched packages: Simple API (project status, releases, yanks, provenance), JSON API (licenses), Integrity API (publishers)", default: "https://pypi.org" },
  { name: "PYPI_POLL_SECONDS", key: "pypiPollSeconds", description: "Seconds between checks of each watched package on PyPI (one conditional request each)", default: "3600" },
  { name: "HTTP_TIMEOUT_SECONDS", key: "httpTimeoutSeconds", description: "Timeout of one upstream HTTP request", default: "30" },
  { name: "MIRROR_STALE_HOURS", key: "mirrorStaleHours", description: "Hours after OSV's last successful update when answers say the mirror is out of date", default: "24" },
  { name: "PYSEC_HERALD_WATCH", key: "watch", description: "Watches of the console channel, separated by spaces or newlines (e.g. 'requests django>=4.2,<5')", default: "" },
  { name: "LOG_FORMAT", key: "logFormat", description: "auto (readable lines on a terminal, JSON otherwise), json or pretty", default: "auto" },
  { name: "LOG_LEVEL", key: "logLevel", description: "pino log level (fatal, error, warn, info, debug, trace, silent)", default: "info" },
  { name: "OPS_TOKEN", key: "opsToken", description: "When set, /healthz details and /metrics need 'Authorization: Bearer <token>' (set it on a public host)", default: "", secret: true },
  { name: "PUBLIC_URL", key: "publicUrl", description: "Address people reach this bot's HTTP server at (https://bot.example.org): `report` answers with a link below it", default: "" },
  { name: "REPORT_SECRET", key: "reportSecret", description: "Key that signs report links; unset, one is generated on first start and kept in the store", default: "", secret: true },
  { name: "REPORT_TTL_HOURS", key: "reportTtlHours", description: "Hours a report link stays valid", default: "24" },
  { name: "HOST", key: "host", description: "Address the bot's HTTP server listens on (127.0.0.1 keeps it on loopback behind a proxy)", default: "0.0.0.0" },
  { name: "PORT", key: "port", description: "Port of the bot's HTTP server: GET /healthz, GET /metrics (Prometheus) and webhook receivers such as Discord HTTP interactions; 0 picks a free port", default: "8080" },
  { name: "DISCORD_TOKEN", key: "discord.token", description: "Discord bot token; with DISCORD_APPLICATION_ID it turns the Discord adapter on", default: "", secret: true },
  { name: "DISCORD_APPLICATION_ID", key: "discord.applicationId", description: "Discord application id", default: "" },
  { name: "DISCORD_INTERACTIONS", key: "discord.interactions", description: "How Discord commands arrive: gateway (no public URL) or http (POST /discord/interactions)", default: "gateway" },
  { name: "DISCORD_PUBLIC_KEY", key: "discord.publicKey", description: "Discord application public key (hex), needed with DISCORD_INTERACTIONS=http", default: "" },
  { name: "DISCORD_API_URL", key: "discord.apiUrl", description: "Discord REST API base URL", default: "https://discord.com/api" },
  { name: "DISCORD_CDN_URL", key: "discord.cdnUrl", description: "Where Discord serves attachments (dependency files for /pysec watch file:)", default: "https://cdn.discordapp.com" },
  { name: "SLACK_BOT_TOKEN", key: "slack.botToken", description: "Slack bot token (xoxb-…); turns the Slack adapter on", default: "", secret: true },
  { name: "SLACK_APP_TOKEN", key: "slack.appToken", description: "Slack app-level token (xapp-…) for Socket Mode (no public URL needed)", default: "", secret: true },
  { name: "SLACK_SIGNING_SECRET", key: "slack.signingSecret", description: "Slack signing secret, for HTTP mode (POST /slack/events) when SLACK_APP_TOKEN is unset", default: "", secret: true },
  { name: "SLACK_MANAGERS", key: "slack.managers", description: "Who may change a Slack channel's subscription: members or admins (workspace admins and owners)", default: "members" },
  { name: "SLACK_API_URL", key: "slack.apiUrl", description: "Slack Web API base URL", default: "https://slack.com/api/" },
  { name: "SLACK_FILES_URL", key: "slack.filesUrl", description: "Where Slack serves shared files; a dependency file shared with \"watch -r\" is downloaded only from below it", default: "https://files.slack.com/" },
  { name: "TELEGRAM_BOT_TOKEN", key: "telegram.token", description: "Telegram bot token from @BotFather; turns the Telegram adapter on", default: "", secret: true },
  { name: "TELEGRAM_API_ROOT", key: "telegram.apiRoot", description: "Telegram Bot API root URL", default: "https://api.telegram.org" },
  { name: "TELEGRAM_WEBHOOK_URL", key: "telegram.webhookUrl", description: "Public URL of POST /telegram/webhook; unset means long polling (no public URL needed)", default: "" },
  { name: "TELEGRAM_WEBHOOK_SECRET", key: "telegram.webhookSecret", description: "Secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -)", default: "", secret: true },
] as const satisfies readonly EnvVar[];

const positiveInt = z.coerce.number().int().positive();
const noSlash = (u: string) => u.replace(/\/+$/, "");
const list = (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean);

export const ROLES = ["poller", "delivery", "discord", "slack", "telegram"] as const;
export type Role = (typeof ROLES)[number];

const ConfigSchema = z.object({
  storeUrl: z.string().min(1),
  osvBucketUrl: z.string().url().transform((u) => u.replace(/\/+$/, "")),
  osvPollSeconds: positiveInt,
  sources: z.string().transform(list).pipe(z.array(z.enum(["osv", "pypa", "psf", "feeds", "priority", "pypi"]))),
  queueUrl: z.union([z.literal(""), z.string().regex(/^rediss?:\/\//, "must be a redis:// URL")]),
  roles: z.string().transform(list).pipe(z.array(z.enum(ROLES)).min(1, "name at least one role")),
  githubApiUrl: z.string().url().transform(noSlash),
  githubRawUrl: z.string().url().transform(noSlash),
  githubToken: z.string(),
  githubPollSeconds: positiveInt,
  osvApiUrl: z.string().url().transform(noSlash),
  cveApiUrl: z.string().url().transform(noSlash),
  announceFeedUrl: z.string().url(),
  insiderFeedUrl: z.string().url(),
  feedsPollSeconds: positiveInt,
  kevUrl: z.string().url(),
  epssUrl: z.string().url(),
  priorityPollSeconds: positiveInt,
  pypiUrl: z.string().url().transform(noSlash),
  pypiPollSeconds: positiveInt,
  httpTimeoutSeconds: positiveInt,
  mirrorStaleHours: positiveInt,
  watch: z.string(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  logFormat: z.enum(["auto", "json", "pretty"]),
  opsToken: z.string(),
  publicUrl: z.union([z.literal(""), z.string().url().transform(noSlash)]),
  reportSecret: z.string().refine((v) => v === "" || v.length >= 16, "must be at least 16 characters"),
  reportTtlHours: positiveInt,
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  discord: z
    .object({
      token: z.string(),
      applicationId: z.string().regex(/^\d*$/, "must be the numeric application id"),
      interactions: z.enum(["gateway", "http"]),
      publicKey: z.string().regex(/^([0-9a-f]{64})?$/i, "must be 64 hex characters"),
      apiUrl: z.string().url().transform((u) => u.replace(/\/+$/, "")),
      cdnUrl: z.string().url().transform((u) => u.replace(/\/+$/, "")),
    })
    .refine((d) => d.interactions !== "http" || d.publicKey !== "" || d.token === "", { message: "DISCORD_INTERACTIONS=http needs DISCORD_PUBLIC_KEY", path: ["interactions"] }),
  slack: z
    .object({
      botToken: z.string(),
      appToken: z.string(),
      signingSecret: z.string(),
      managers: z.enum(["members", "admins"]),
      apiUrl: z.string().url().transform((u) => (u.endsWith("/") ? u : `${u}/`)),
      filesUrl: z.string().url(),
    })
    .refine((s) => s.botToken === "" || s.appToken !== "" || s.signingSecret !== "", { message: "SLACK_BOT_TOKEN needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)", path: ["botToken"] }),
  telegram: z
    .object({
      token: z.string(),
      apiRoot: z.string().url().transform((u) => u.replace(/\/+$/, "")),
      webhookUrl: z.union([z.literal(""), z.string().url()]),
      webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{0,256}$/, "1-256 characters of A-Z a-z 0-9 _ -"),
    })
    .refine((t) => t.webhookUrl === "" || t.webhookSecret !== "", { message: "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET", path: ["webhookSecret"] }),
});

export type Config = z.infer<typeof ConfigSchema>;

function read(env: NodeJS.ProcessEnv, name: string): string {
  const row = ENV_VARS.find((v) => v.name === name);
  const value = env[name];
  return value === undefined || value === "" ? (row?.default ?? "") : value;
}

function setPath(target: Record<string, unknown>, key: string, value: string): void {
  const [group, field] = key.split(".");
  if (field === undefined) target[group!] = value;
  else ((target[group!] ??= {}) as Record<string, unknown>)[field] = value;
}

/** The variable behind a Config key, for error messages. */
function nameOf(key: string): string | undefined {
  return ENV_VARS.find((v) => v.key === key)?.name;
}

/** Builds the configuration from the environment; throws a readable error naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const row of ENV_VARS) setPath(raw, row.key, read(env, row.name));
  const parsed = ConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // A list variable (SOURCES, ROLES) reports its bad element as "roles.1": name the variable.
  const issues = parsed.error.issues.map((i) => `${nameOf(i.path.join(".")) ?? nameOf(String(i.path[0])) ?? i.path.join(".")}: ${i.message}`);
  throw new Error(`invalid configuration: ${issues.join("; ")}`);
}

/** Values of secret variables in this environment: they must never be printed or logged. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const tokens = (ENV_VARS as readonly EnvVar[]).filter((v) => v.secret).map((v) => env[v.name] ?? "");
  return [...tokens, ...["STORE_URL", "QUEUE_URL"].map((n) => urlPassword(env[n]))].filter((v) => v.length >= 4);
}

// redis://:secret@host and postgresql://user:secret@host carry a password in the URL.
function urlPassword(url: string | undefined): string {
  try {
    return url ? decodeURIComponent(new URL(url).password) : "";
  } catch {
    return "";
  }
}

export function slackEnabled(c: Config): boolean {
  return c.slack.botToken !== "";
}

export function telegramEnabled(c: Config): boolean {
  return c.telegram.token !== "";
}

export function discordEnabled(c: Config): boolean {
  return c.discord.token !== "" && c.discord.applicationId !== "";
}

/** The environment section of `--help`: every variable with its default; secrets show no value. */
export function envHelp(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return (ENV_VARS as readonly EnvVar[])
    .map((v) => `  ${v.name.padEnd(width)}  ${v.description}\n  ${"".padEnd(width)}  default: ${v.secret ? "(secret, unset)" : v.default || "(empty)"}`)
    .join("\n");
}
