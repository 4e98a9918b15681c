import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';

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

/** Variables every app reads through libs/core. Property names are the variable names. */
export class CoreEnv {
  @IsOptional()
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  @Min(0, { message: 'PORT must be an integer between 0 and 65535' })
  @Max(65535, { message: 'PORT must be an integer between 0 and 65535' })
  PORT?: number;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsIn(['production', 'development', 'test'], { message: 'NODE_ENV must be one of production, development, test' })
  NODE_ENV: 'production' | 'development' | 'test' = 'production';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL: string = 'info';

  /** Comma-separated allowlist of browser origins; empty means no cross-origin access. */
  @Transform(splitList)
  @Matches(/^https?:\/\/[^/\s]+$/, {
    each: true,
    message: 'CORS_ORIGINS must be a comma-separated list of origins like https://app.example.com',
  })
  CORS_ORIGINS: string[] = [];

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

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
