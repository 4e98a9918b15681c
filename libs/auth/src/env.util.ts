import type { ValidationArguments } from 'class-validator';

import { isSecureOrLoopback } from './oidc/discovery.js';

type TransformArgs = { obj: Record<string, unknown>; key: string };

/** Reads the raw string (before implicit conversion) and splits a comma- or space-separated list. */
export const splitList = ({ obj, key }: TransformArgs): unknown =>
  typeof obj[key] === 'string'
    ? obj[key]
        .split(/[\s,]+/)
        .map((v) => v.trim())
        .filter(Boolean)
    : obj[key];

/** Reads the raw string so that 'false' does not become `true` through Boolean('false'). */
export const parseBoolean = ({ obj, key }: TransformArgs): unknown =>
  obj[key] === 'true' ? true : obj[key] === 'false' ? false : obj[key];

/** An issuer URL: absolute, https (http only on loopback), no query or fragment. */
export function isIssuerUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return isSecureOrLoopback(url) && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export const issuerMessage = (args: ValidationArguments): string =>
  `${args.property} must be the issuer URL of the OpenID provider (https; http only on localhost/127.0.0.1), without query or fragment`;
