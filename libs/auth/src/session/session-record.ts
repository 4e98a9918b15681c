import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { decodeJwt } from 'jose';

import type { Identity } from '@bff/core';

import type { TokenResult } from './oidc-client.js';
import type { SessionConfig } from './session.config.js';
import { SESSION_STRATEGY } from './session.constants.js';
import type { SessionRecord } from './session.types.js';

/** The settings a session record is built from. */
type RecordSettings = Pick<SessionConfig, 'absoluteMs' | 'scopes' | 'userClaims'>;

/** What a refresh changes in a session record. */
export type RefreshedFields = Pick<
  SessionRecord,
  'accessToken' | 'accessTokenExpiresAt' | 'tokensObtainedAt' | 'scopes' | 'absoluteExpiresAt'
> &
  Partial<Pick<SessionRecord, 'refreshToken' | 'refreshTokenExpiresAt' | 'claims'>>;

/** The signed-in user as the SPA sees it (no token, ever). */
export interface SessionUser {
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly name?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly locale?: string;
  readonly scopes: readonly string[];
}

/** 256-bit random, base64url: session ids. */
export const newId = (): string => randomBytes(32).toString('base64url');
/** Store keys hold a digest of the id, so a store dump holds no usable cookie value. */
export const digest = (id: string): string => createHash('sha256').update(id).digest('base64url');
/**
 * A session's handle: the digest of its id, which names it in its store key and to operators
 * (admin routes) without being a usable cookie value.
 */
export const sessionHandle = (sessionId: string): string => digest(sessionId);
export const handleKey = (handle: string): string => `s:${handle}`;
export const sessionKey = (sessionId: string): string => handleKey(sessionHandle(sessionId));
/** A handle is a base64url SHA-256 digest. */
export const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Constant-time comparison of two strings of any length. */
export function sameString(expected: string, actual: string): boolean {
  const expectedDigest = createHash('sha256').update(expected).digest();
  const actualDigest = createHash('sha256').update(actual).digest();
  return timingSafeEqual(expectedDigest, actualDigest);
}

/** The record of a session that starts now with the tokens of a completed login. */
export function newSessionRecord(
  tokens: TokenResult,
  claims: Readonly<Record<string, unknown>>,
  now: number,
  settings: RecordSettings,
): SessionRecord {
  const accessTokenExpiresAt = now + lifetimeMs(tokens, now);
  const refreshTokenExpiresAt = tokens.refreshExpiresIn ? now + tokens.refreshExpiresIn * 1000 : undefined;
  return {
    sub: claims.sub as string,
    ...(typeof claims.sid === 'string' && claims.sid.length > 0 ? { sid: claims.sid } : {}),
    claims: pickClaims(claims, settings.userClaims),
    scopes: scopesOf(tokens, settings.scopes),
    accessToken: tokens.accessToken,
    accessTokenExpiresAt,
    tokensObtainedAt: now,
    ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}),
    createdAt: now,
    lastSeenAt: now,
    absoluteExpiresAt: capAbsolute(now + settings.absoluteMs, tokens.refreshToken, refreshTokenExpiresAt, accessTokenExpiresAt),
  };
}

/** The fields a refresh writes into `current`: new tokens, their scopes and ends, the end of the session. */
export function refreshedFields(current: SessionRecord, tokens: TokenResult, now: number, settings: RecordSettings): RefreshedFields {
  const accessTokenExpiresAt = now + lifetimeMs(tokens, now);
  const refreshToken = tokens.refreshToken ?? current.refreshToken;
  const refreshTokenExpiresAt = tokens.refreshExpiresIn ? now + tokens.refreshExpiresIn * 1000 : current.refreshTokenExpiresAt;
  return {
    accessToken: tokens.accessToken,
    accessTokenExpiresAt,
    tokensObtainedAt: now,
    scopes: scopesOf(tokens, settings.scopes),
    absoluteExpiresAt: capAbsolute(current.absoluteExpiresAt, refreshToken, refreshTokenExpiresAt, accessTokenExpiresAt),
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(refreshTokenExpiresAt !== undefined ? { refreshTokenExpiresAt } : {}),
    ...(tokens.idTokenClaims ? { claims: pickClaims(tokens.idTokenClaims, settings.userClaims) } : {}),
  };
}

/** Refresh when the access token is within the skew of its end (at most half its lifetime, so a short-lived token is not refreshed on every request). */
export function needsRefresh(record: SessionRecord, now: number, refreshSkewMs: number): boolean {
  const lifetime = record.accessTokenExpiresAt - record.tokensObtainedAt;
  const skew = Math.min(refreshSkewMs, Math.max(0, lifetime / 2));
  return now >= record.accessTokenExpiresAt - skew;
}

/** Store TTL: until the idle timeout, never past the absolute one. */
export function storeTtl(record: SessionRecord, now: number, idleMs: number): number {
  return Math.max(1_000, Math.min(record.absoluteExpiresAt - now, idleMs));
}

/** The identity a session stands for. */
export function sessionIdentity(record: SessionRecord): Identity {
  return { strategy: SESSION_STRATEGY, subject: record.sub, scopes: record.scopes, claims: record.claims };
}

/** The SPA's view of the signed-in user. */
export function sessionUserOf(identity: Identity): SessionUser {
  const claims = identity.claims;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    sub: identity.subject,
    email: text(claims.email),
    emailVerified: typeof claims.email_verified === 'boolean' ? claims.email_verified : undefined,
    name: text(claims.name),
    givenName: text(claims.given_name),
    familyName: text(claims.family_name),
    locale: text(claims.locale),
    scopes: identity.scopes,
  };
}

/** A session never outlives what can renew it: the refresh token, or the access token when there is none. */
function capAbsolute(
  absolute: number,
  refreshToken: string | undefined,
  refreshTokenExpiresAt: number | undefined,
  accessTokenExpiresAt: number,
): number {
  if (!refreshToken) return Math.min(absolute, accessTokenExpiresAt);
  return refreshTokenExpiresAt === undefined ? absolute : Math.min(absolute, refreshTokenExpiresAt);
}

/** expires_in, else the JWT's exp, else a conservative minute. */
function lifetimeMs(tokens: TokenResult, now: number): number {
  if (tokens.expiresIn !== undefined && tokens.expiresIn > 0) return tokens.expiresIn * 1000;
  try {
    const { exp } = decodeJwt(tokens.accessToken);
    if (typeof exp === 'number' && exp * 1000 > now) return exp * 1000 - now;
  } catch {
    // opaque access token
  }
  return 60_000;
}

/** The granted scopes: the token response's, else the JWT's claim, else the scopes asked for. */
function scopesOf(tokens: TokenResult, requestedScopes: readonly string[]): string[] {
  if (tokens.scope !== undefined) return tokens.scope.split(' ').filter(Boolean);
  try {
    const { scope } = decodeJwt(tokens.accessToken);
    if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  } catch {
    // opaque access token
  }
  return [...requestedScopes];
}

function pickClaims(claims: Readonly<Record<string, unknown>>, userClaims: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(userClaims.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]]));
}
