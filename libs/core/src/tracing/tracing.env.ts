import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

type TransformArgs = { obj: Record<string, unknown>; key: string };

/** The spec reads booleans case-insensitively; anything but 'true' is false. */
const parseOtelBoolean = ({ obj, key }: TransformArgs): unknown =>
  typeof obj[key] === 'string' ? obj[key].trim().toLowerCase() === 'true' : false;

/** A number, or unset when empty (as the spec asks); anything else stays as is for the validator to refuse. */
const optionalNumber = ({ obj, key }: TransformArgs): unknown => {
  const raw = obj[key];
  if (raw === undefined || raw === '') return undefined;
  return typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
};

/** Empty strings count as unset, as the OpenTelemetry spec asks. */
const emptyAsUnset = ({ obj, key }: TransformArgs): unknown => (obj[key] === '' ? undefined : obj[key]);

const KEY_VALUE_LIST = /^\s*[^=,\s]+\s*=[^,]*(?:,\s*[^=,\s]+\s*=[^,]*)*$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(?:\/\S*)?$/;

export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/**
 * The standard OpenTelemetry variables the tracing module honours (property names are the variable
 * names). Tracing is on only when an OTLP endpoint is set and OTEL_SDK_DISABLED is not true.
 */
export class TracingEnv {
  @Transform(parseOtelBoolean)
  OTEL_SDK_DISABLED: boolean = false;

  /** Base URL of an OTLP/HTTP receiver; traces go to `<endpoint>/v1/traces`. */
  @Transform(emptyAsUnset)
  @IsOptional()
  @Matches(HTTP_URL, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Full URL traces are posted to (used as is); wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  @Transform(emptyAsUnset)
  @IsOptional()
  @Matches(HTTP_URL, { message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** The exporter speaks OTLP/HTTP with JSON bodies; other protocols are refused rather than ignored. */
  @Transform(emptyAsUnset)
  @IsOptional()
  @IsIn(['http/json'], { message: 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/json (the only protocol this build exports with)' })
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;

  @Transform(emptyAsUnset)
  @IsOptional()
  @IsIn(['http/json'], { message: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http/json (the only protocol this build exports with)' })
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: string;

  /** `key=value,...` sent with every export (e.g. an API key of the tracing backend). */
  @Transform(emptyAsUnset)
  @IsOptional()
  @Matches(KEY_VALUE_LIST, { message: 'OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value' })
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  @Transform(emptyAsUnset)
  @IsOptional()
  @Matches(KEY_VALUE_LIST, { message: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS must be a comma-separated list of key=value' })
  OTEL_EXPORTER_OTLP_TRACES_HEADERS?: string;

  /** Defaults to the app's name (e.g. web-bff). */
  @Transform(emptyAsUnset)
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  @Transform(emptyAsUnset)
  @IsOptional()
  @Matches(KEY_VALUE_LIST, { message: 'OTEL_RESOURCE_ATTRIBUTES must be a comma-separated list of key=value' })
  OTEL_RESOURCE_ATTRIBUTES?: string;

  @IsIn(TRACES_SAMPLERS, { message: `OTEL_TRACES_SAMPLER must be one of ${TRACES_SAMPLERS.join(', ')}` })
  OTEL_TRACES_SAMPLER: TracesSampler = 'parentbased_always_on';

  /** The sampling ratio of the *traceidratio samplers, 0..1 (default 1). */
  @Transform(optionalNumber)
  @IsOptional()
  @IsNumber({}, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1' })
  @Min(0, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1' })
  @Max(1, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1' })
  OTEL_TRACES_SAMPLER_ARG?: number;
}

/** Where traces are posted, or undefined when no endpoint is configured (tracing off). */
export function tracesEndpoint(env: TracingEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}
