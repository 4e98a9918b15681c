import { createHash, randomUUID } from 'node:crypto';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A client's DPoP key pair (what a mobile app keeps in its secure enclave / keystore). */
export interface DpopKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to this key. */
  readonly jkt: string;
  readonly alg: string;
}

export async function generateDpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256'), alg };
}

export interface ProofClaims {
  readonly htm: string;
  readonly htu: string;
  /** The access token the proof accompanies (`ath`); none at the token endpoint. */
  readonly accessToken?: string;
  readonly jti?: string;
  /** Seconds since the epoch; default now. */
  readonly iat?: number;
  /** Override or remove (undefined) claims, for attack tests. */
  readonly extra?: Record<string, unknown>;
  /** Override header members, for attack tests. */
  readonly header?: Record<string, unknown>;
}

/** A DPoP proof JWT (RFC 9449 §4.2) signed with `key`. */
export async function dpopProof(key: DpopKey, claims: ProofClaims): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: claims.jti ?? randomUUID(),
    htm: claims.htm,
    htu: claims.htu,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    ...(claims.accessToken ? { ath: createHash('sha256').update(claims.accessToken).digest('base64url') } : {}),
    ...claims.extra,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk, ...claims.header })
    .sign(key.privateKey);
}
