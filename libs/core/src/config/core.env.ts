import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';

type TransformArgs = { obj: Record<string, unknown>; key: string };

/** Reads the raw string (before implicit conversion) and splits a comma-separated list. */
const splitList = ({ obj, key }: TransformArgs): unknown =>
  typeof obj[key] === 'string'
    ? obj[key]
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : obj[key];

/** Reads the raw string so that 'false' does not become `true` through Boolean('false'). */
const parseBoolean = ({ obj, key }: TransformArgs): unknown => (obj[key] === 'true' ? true : obj[key] === 'false' ? false : obj[key]);

const HOST_PORT = /^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;
const modeOf = (args: ValidationArguments | undefined): string => String((args?.object as CoreEnv | undefined)?.REDIS_MODE ?? 'standalone');

/** Variables every app reads through libs/core. Property names are the variable names. */
export class CoreEnv {
  @IsOptional()
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT?: number;

  @IsString()
  HOST: string = '0.0.0.0';

  /**
   * Management port serving Prometheus metrics (docs/operations.md), never the public PORT: `off`
   * serves none, `0` an ephemeral port (tests). Scrapers reach it inside the cluster only.
   */
  @Matches(/^(?:off|\d{1,5})$/, { message: 'METRICS_PORT must be off or an integer between 0 and 65535' })
  @ValidateBy(
    {
      name: 'metricsPortValid',
      validator: {
        validate: (value: unknown, args) =>
          value === 'off' || (Number(value) <= 65535 && (Number(value) === 0 || Number(value) !== (args?.object as CoreEnv).PORT)),
      },
    },
    { message: 'METRICS_PORT must be off, or a port between 0 and 65535 other than PORT' },
  )
  METRICS_PORT: string = '9464';

  /** Address the management port binds (the pod's addresses: Prometheus scrapes the pod IP). */
  @IsString()
  METRICS_HOST: string = '0.0.0.0';

  /** Path of the exposition on the management port. */
  @Matches(/^\/[A-Za-z0-9._~/-]*$/, { message: 'METRICS_PATH must be an absolute path like /metrics' })
  METRICS_PATH: string = '/metrics';

  @IsIn(['production', 'development', 'test'], { message: 'NODE_ENV must be one of production, development, test' })
  NODE_ENV: 'production' | 'development' | 'test' = 'production';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL: string = 'info';

  /**
   * Base URI of problem `type`s (README "Docs portal"), read once by core.constants' PROBLEM_TYPE_BASE;
   * validated here so a wrong value stops the boot in the one configuration message.
   */
  @ValidateIf((env: CoreEnv) => typeof env.PROBLEM_TYPE_BASE === 'string' && env.PROBLEM_TYPE_BASE.trim() !== '')
  @Matches(/^\s*https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?\s*$/, {
    message:
      'PROBLEM_TYPE_BASE must be an absolute http(s) URL without query or fragment, like https://developer.example.com/bff/problems/',
  })
  PROBLEM_TYPE_BASE?: string;

  /** Comma-separated allowlist of browser origins; empty means no cross-origin access. */
  @Transform(splitList)
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message: 'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com',
  })
  CORS_ORIGINS: string[] = [];

  /**
   * Redis topology of every Redis feature (sessions, rate limits, partner keys, cache; docs/redis.md):
   * `standalone` (REDIS_URL), `sentinel` (REDIS_SENTINELS + REDIS_SENTINEL_NAME), `cluster` (REDIS_CLUSTER_NODES).
   */
  @IsIn(['standalone', 'sentinel', 'cluster'], { message: 'REDIS_MODE must be one of standalone, sentinel, cluster' })
  REDIS_MODE: 'standalone' | 'sentinel' | 'cluster' = 'standalone';

  /** Standalone Redis, credentials and TLS (`rediss://`) included; unset = in-memory stores. Only with REDIS_MODE=standalone. */
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  @ValidateBy(
    { name: 'standaloneOnly', validator: { validate: (value: unknown, args) => value === undefined || modeOf(args) === 'standalone' } },
    {
      message:
        'REDIS_URL is for REDIS_MODE=standalone; with sentinel or cluster use REDIS_SENTINELS/REDIS_CLUSTER_NODES and REDIS_USERNAME/REDIS_PASSWORD/REDIS_TLS',
    },
  )
  REDIS_URL?: string;

  /** REDIS_MODE=sentinel: comma-separated `host:port` of the sentinels (at least one; list them all). */
  @Transform(splitList)
  @ValidateIf((env: CoreEnv) => env.REDIS_MODE === 'sentinel' || (Array.isArray(env.REDIS_SENTINELS) && env.REDIS_SENTINELS.length > 0))
  @ValidateBy(
    { name: 'sentinelList', validator: { validate: (value: unknown, args) => isHostPortList(value) && modeOf(args) === 'sentinel' } },
    { message: 'REDIS_SENTINELS must be a comma-separated list of host:port, and is only read with REDIS_MODE=sentinel' },
  )
  REDIS_SENTINELS: string[] = [];

  /** REDIS_MODE=sentinel: the master name the sentinels monitor (`sentinel monitor <name> ...`). */
  @ValidateIf((env: CoreEnv) => env.REDIS_MODE === 'sentinel' || env.REDIS_SENTINEL_NAME !== undefined)
  @ValidateBy(
    {
      name: 'sentinelName',
      validator: {
        validate: (value: unknown, args) => typeof value === 'string' && /^[\w.-]{1,64}$/.test(value) && modeOf(args) === 'sentinel',
      },
    },
    {
      message:
        'REDIS_SENTINEL_NAME (the monitored master name: letters, digits, _ . -) is required with, and only read with, REDIS_MODE=sentinel',
    },
  )
  REDIS_SENTINEL_NAME?: string;

  /** REDIS_MODE=cluster: comma-separated `host:port` of some cluster nodes (the rest are discovered). */
  @Transform(splitList)
  @ValidateIf(
    (env: CoreEnv) => env.REDIS_MODE === 'cluster' || (Array.isArray(env.REDIS_CLUSTER_NODES) && env.REDIS_CLUSTER_NODES.length > 0),
  )
  @ValidateBy(
    { name: 'clusterList', validator: { validate: (value: unknown, args) => isHostPortList(value) && modeOf(args) === 'cluster' } },
    { message: 'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, and is only read with REDIS_MODE=cluster' },
  )
  REDIS_CLUSTER_NODES: string[] = [];

  /** Sentinel/cluster: ACL user of the Redis nodes (and sentinels). Standalone carries it in REDIS_URL. */
  @IsOptional()
  @IsString()
  @ValidateBy(
    { name: 'notStandalone', validator: { validate: (_value: unknown, args) => modeOf(args) !== 'standalone' } },
    { message: 'REDIS_USERNAME is for sentinel/cluster; with REDIS_MODE=standalone put it in REDIS_URL' },
  )
  REDIS_USERNAME?: string;

  /** Sentinel/cluster: password of the Redis nodes (and sentinels). A secret. Standalone carries it in REDIS_URL. */
  @IsOptional()
  @IsString()
  @ValidateBy(
    { name: 'notStandalone', validator: { validate: (_value: unknown, args) => modeOf(args) !== 'standalone' } },
    { message: 'REDIS_PASSWORD is for sentinel/cluster; with REDIS_MODE=standalone put it in REDIS_URL' },
  )
  REDIS_PASSWORD?: string;

  /** Sentinel/cluster: TLS to the Redis nodes and sentinels (standalone: a `rediss://` REDIS_URL). */
  @IsIn([true, false], { message: 'REDIS_TLS must be true or false' })
  @Transform(parseBoolean)
  @ValidateBy(
    { name: 'notStandalone', validator: { validate: (value: unknown, args) => value !== true || modeOf(args) !== 'standalone' } },
    { message: 'REDIS_TLS is for sentinel/cluster; with REDIS_MODE=standalone use a rediss:// REDIS_URL' },
  )
  REDIS_TLS: boolean = false;

  @IsInt({ message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 52428800' })
  @Min(1024, { message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 52428800' })
  @Max(50 * 1024 * 1024, { message: 'BODY_LIMIT_BYTES must be an integer between 1024 and 52428800' })
  BODY_LIMIT_BYTES: number = 100 * 1024;

  /**
   * After SIGTERM, how long the app keeps accepting and serving requests, with `/health/ready` already
   * 503, before it closes its listener: the time a load balancer's health check needs to take it out of
   * rotation (the in-process equivalent of a Kubernetes preStop sleep). 0 where a preStop sleep does it.
   */
  @IsInt({ message: 'SHUTDOWN_DELAY_MS must be an integer between 0 and 60000' })
  @Min(0, { message: 'SHUTDOWN_DELAY_MS must be an integer between 0 and 60000' })
  @Max(60_000, { message: 'SHUTDOWN_DELAY_MS must be an integer between 0 and 60000' })
  SHUTDOWN_DELAY_MS: number = 0;

  /** How long in-flight requests may take to finish, once the listener is closed, before connections are cut. */
  @IsInt({ message: 'SHUTDOWN_DRAIN_MS must be an integer between 0 and 120000' })
  @Min(0, { message: 'SHUTDOWN_DRAIN_MS must be an integer between 0 and 120000' })
  @Max(120_000, { message: 'SHUTDOWN_DRAIN_MS must be an integer between 0 and 120000' })
  SHUTDOWN_DRAIN_MS: number = 10_000;

  /** Default end-to-end budget of one request; upstream calls share what is left of it. */
  @IsInt({ message: 'REQUEST_DEADLINE_MS must be an integer between 50 and 120000' })
  @Min(50, { message: 'REQUEST_DEADLINE_MS must be an integer between 50 and 120000' })
  @Max(120_000, { message: 'REQUEST_DEADLINE_MS must be an integer between 50 and 120000' })
  REQUEST_DEADLINE_MS: number = 5_000;

  /**
   * Which proxies to trust for the client address (X-Forwarded-For), e.g. the load balancer:
   * `false` (default: the socket peer is the client), `true` (trust every hop; only behind a proxy
   * that overwrites the header), a hop count like `1`, or comma-separated addresses/CIDRs.
   * Rate limits and logs key by this address, so set it when running behind a load balancer.
   */
  @Matches(/^(?:true|false|\d{1,2}|[0-9a-fA-F.:/]+(?:\s*,\s*[0-9a-fA-F.:/]+)*)$/, {
    message: 'TRUST_PROXY must be true, false, a hop count, or comma-separated addresses/CIDRs',
  })
  TRUST_PROXY: string = 'false';

  /** Serve Swagger UI at /docs and the document at /docs-json. */
  @IsIn([true, false], { message: 'DOCS_ENABLED must be true or false' })
  @Transform(parseBoolean)
  DOCS_ENABLED: boolean = true;

  /**
   * How long a client may take to send the request headers (Node's `headersTimeout`, slowloris); then
   * 408 request-timeout and the connection is closed. At most HTTP_REQUEST_TIMEOUT_MS.
   */
  @IsInt({ message: 'HTTP_HEADERS_TIMEOUT_MS must be an integer between 100 and 300000' })
  @Min(100, { message: 'HTTP_HEADERS_TIMEOUT_MS must be an integer between 100 and 300000' })
  @Max(300_000, { message: 'HTTP_HEADERS_TIMEOUT_MS must be an integer between 100 and 300000' })
  @ValidateBy(
    {
      name: 'notAboveRequestTimeout',
      validator: {
        validate: (value: unknown, args) => typeof value === 'number' && value <= (args?.object as CoreEnv).HTTP_REQUEST_TIMEOUT_MS,
      },
    },
    { message: 'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS' },
  )
  HTTP_HEADERS_TIMEOUT_MS: number = 10_000;

  /**
   * How long a client may take to send the whole request, headers and body (Node's `requestTimeout`);
   * then 408 request-timeout and the connection is closed. Handling time is bounded by REQUEST_DEADLINE_MS.
   */
  @IsInt({ message: 'HTTP_REQUEST_TIMEOUT_MS must be an integer between 100 and 600000' })
  @Min(100, { message: 'HTTP_REQUEST_TIMEOUT_MS must be an integer between 100 and 600000' })
  @Max(600_000, { message: 'HTTP_REQUEST_TIMEOUT_MS must be an integer between 100 and 600000' })
  HTTP_REQUEST_TIMEOUT_MS: number = 30_000;

  /** How long an idle keep-alive connection stays open; must exceed the load balancer's idle timeout. */
  @IsInt({ message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer between 1000 and 900000' })
  @Min(1_000, { message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer between 1000 and 900000' })
  @Max(900_000, { message: 'HTTP_KEEP_ALIVE_TIMEOUT_MS must be an integer between 1000 and 900000' })
  HTTP_KEEP_ALIVE_TIMEOUT_MS: number = 72_000;

  /** Open connections one process accepts (Node's `server.maxConnections`); more are closed at once. */
  @IsInt({ message: 'HTTP_MAX_CONNECTIONS must be an integer between 1 and 1000000' })
  @Min(1, { message: 'HTTP_MAX_CONNECTIONS must be an integer between 1 and 1000000' })
  @Max(1_000_000, { message: 'HTTP_MAX_CONNECTIONS must be an integer between 1 and 1000000' })
  HTTP_MAX_CONNECTIONS: number = 10_000;

  /** Deepest nesting of objects and arrays in a JSON body (the body is level 1); deeper → 400 json-too-deep. */
  @IsInt({ message: 'JSON_MAX_DEPTH must be an integer between 1 and 256' })
  @Min(1, { message: 'JSON_MAX_DEPTH must be an integer between 1 and 256' })
  @Max(256, { message: 'JSON_MAX_DEPTH must be an integer between 1 and 256' })
  JSON_MAX_DEPTH: number = 32;

  /** Object keys in a JSON body, counted over the whole body; more → 400 json-too-many-keys. */
  @IsInt({ message: 'JSON_MAX_KEYS must be an integer between 1 and 100000' })
  @Min(1, { message: 'JSON_MAX_KEYS must be an integer between 1 and 100000' })
  @Max(100_000, { message: 'JSON_MAX_KEYS must be an integer between 1 and 100000' })
  JSON_MAX_KEYS: number = 1_000;
}

function isHostPortList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string' && HOST_PORT.test(entry));
}

/** TRUST_PROXY as Fastify's `trustProxy` option. */
export function trustProxyOption(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) {
    // Trust the nearest N hops (what proxy-addr does for a number).
    const hops = Number(value);
    return (_address: string, hop: number) => hop < hops;
  }
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
