import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

type TransformArgs = { obj: Record<string, unknown>; key: string };

const splitList = ({ obj, key }: TransformArgs): unknown =>
  typeof obj[key] === 'string'
    ? obj[key]
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : obj[key];

/** Variables of SpaModule (see docs/frontend.md). */
export class SpaEnv {
  /** Folder of the built single-page app (index.html, assets/...). Unset: no front end is served. */
  @IsOptional()
  @IsString({ message: 'SPA_DIR must be a folder path' })
  @MinLength(1, { message: 'SPA_DIR must be a folder path' })
  SPA_DIR?: string;

  /** Extra origins the SPA may load images from (CSP img-src), comma-separated. */
  @Transform(splitList)
  @Matches(/^https:\/\/[^/\s;,']+$/, {
    each: true,
    message: 'SPA_IMG_ORIGINS must be a comma-separated list of https origins like https://images.example.com',
  })
  SPA_IMG_ORIGINS: string[] = [];
}

/** Variables of RemoteApiModule (see docs/frontend.md). */
export class RemoteApiEnv {
  /** Largest request body forwarded to a remote API; larger ones are refused with 413. */
  @IsInt({ message: 'REMOTE_API_MAX_BODY_BYTES must be an integer between 0 and 10485760' })
  @Min(0, { message: 'REMOTE_API_MAX_BODY_BYTES must be an integer between 0 and 10485760' })
  @Max(10 * 1024 * 1024, { message: 'REMOTE_API_MAX_BODY_BYTES must be an integer between 0 and 10485760' })
  REMOTE_API_MAX_BODY_BYTES: number = 16 * 1024;
}

export const spaEnv: EnvSchema<SpaEnv> = envClass(SpaEnv, 'web (SPA hosting)');
export const remoteApiEnv: EnvSchema<RemoteApiEnv> = envClass(RemoteApiEnv, 'web (remote APIs)');
