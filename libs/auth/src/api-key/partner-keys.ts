/** One registered partner API key (never the key itself: its SHA-256). */
export interface PartnerKeyRecord {
  /** Public key id (the `<id>` part of `bffpk_<id>_<secret>`). */
  readonly id: string;
  readonly partnerId: string;
  readonly scopes: readonly string[];
  /** Hex SHA-256 of the whole key. */
  readonly sha256: string;
  /** Epoch ms after which the key is refused; undefined = no expiry. */
  readonly expiresAt?: number;
  /**
   * The partner's customer account in the retail services, when it has one: partner routes that
   * show account data (e.g. GET /v1/orders) show only this account's.
   */
  readonly account?: string;
  /** Requests the partner may make per UTC day with this key (overrides PARTNER_DAILY_QUOTA); undefined = the default. */
  readonly dailyQuota?: number;
}

export const KEY_ID = /^[a-z0-9]{12}$/;
export const PARTNER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const SCOPE = /^[a-z][a-z0-9._-]*(?::[a-z0-9._-]+)*$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_DAILY_QUOTA = 1_000_000_000;
/** A valid daily quota: an integer from 1 to MAX_DAILY_QUOTA. */
export const isDailyQuota = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_DAILY_QUOTA;
/** Keys a partner may have active at once: the current one and its successor during a rotation. */
export const MAX_ACTIVE_KEYS_PER_PARTNER = 2;

const FIELDS = new Set(['id', 'partner', 'scopes', 'sha256', 'expires', 'account', 'dailyQuota']);

export interface ParsedPartnerKeys {
  readonly records: readonly PartnerKeyRecord[];
  readonly problems: readonly string[];
}

/**
 * Parses PARTNER_API_KEYS: a JSON array of
 * `{ "id", "partner", "scopes": [...], "sha256", "expires"?: ISO-8601, "account"?: customer id, "dailyQuota"?: integer }`
 * (what `node scripts/partner-keys.mjs generate` prints). Every problem is reported, naming the
 * entry, never echoing a value that could be a secret.
 */
export function parsePartnerKeys(raw: string, now: number = Date.now()): ParsedPartnerKeys {
  let value: unknown;
  try {
    value = JSON.parse(raw === '' ? '[]' : raw);
  } catch {
    return { records: [], problems: ['PARTNER_API_KEYS must be a JSON array of key entries (see docs/auth.md)'] };
  }
  if (!Array.isArray(value)) return { records: [], problems: ['PARTNER_API_KEYS must be a JSON array of key entries (see docs/auth.md)'] };

  const problems: string[] = [];
  const records: PartnerKeyRecord[] = [];
  value.forEach((entry: unknown, index) => {
    const where = `PARTNER_API_KEYS[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object`);
      return;
    }
    const fields = entry as Record<string, unknown>;
    const before = problems.length;
    for (const field of Object.keys(fields)) if (!FIELDS.has(field)) problems.push(`${where} has an unknown field '${field.slice(0, 32)}'`);
    if (typeof fields.id !== 'string' || !KEY_ID.test(fields.id)) problems.push(`${where}.id must be 12 characters a-z0-9`);
    if (typeof fields.partner !== 'string' || !PARTNER_ID.test(fields.partner))
      problems.push(`${where}.partner must be 1-64 characters a-z0-9 . _ - (starting with a letter or digit)`);
    if (
      !Array.isArray(fields.scopes) ||
      fields.scopes.length === 0 ||
      !fields.scopes.every((s) => typeof s === 'string' && SCOPE.test(s))
    ) {
      problems.push(`${where}.scopes must be a non-empty array of scopes like "catalog:read"`);
    }
    if (typeof fields.sha256 !== 'string' || !SHA256_HEX.test(fields.sha256))
      problems.push(`${where}.sha256 must be the key's SHA-256 as 64 lowercase hex characters`);
    let expiresAt: number | undefined;
    if (fields.expires !== undefined) {
      expiresAt = typeof fields.expires === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(fields.expires) ? Date.parse(fields.expires) : NaN;
      if (Number.isNaN(expiresAt)) problems.push(`${where}.expires must be an ISO-8601 date-time, e.g. 2026-12-31T00:00:00Z`);
    }
    if (fields.account !== undefined && (typeof fields.account !== 'string' || !ACCOUNT_ID.test(fields.account))) {
      problems.push(`${where}.account must be a customer id (1-64 characters A-Z a-z 0-9 _ -)`);
    }
    if (fields.dailyQuota !== undefined && !isDailyQuota(fields.dailyQuota)) {
      problems.push(`${where}.dailyQuota must be an integer between 1 and ${MAX_DAILY_QUOTA} (requests per UTC day)`);
    }
    if (problems.length > before) return;
    records.push({
      id: fields.id as string,
      partnerId: fields.partner as string,
      scopes: [...new Set(fields.scopes as string[])],
      sha256: fields.sha256 as string,
      expiresAt,
      account: fields.account as string | undefined,
      ...(fields.dailyQuota === undefined ? {} : { dailyQuota: fields.dailyQuota as number }),
    });
  });

  problems.push(...registryProblems(records, now, 'PARTNER_API_KEYS'));
  return { records, problems };
}

/** Rules across entries: unique ids and hashes, one account per partner, at most two active keys. */
export function registryProblems(records: readonly PartnerKeyRecord[], now: number, source: string): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  const byPartner = new Map<string, PartnerKeyRecord[]>();
  for (const record of records) {
    if (ids.has(record.id)) problems.push(`${source}: key id ${record.id} is listed twice`);
    if (hashes.has(record.sha256)) problems.push(`${source}: key ${record.id} has the same sha256 as another entry`);
    ids.add(record.id);
    hashes.add(record.sha256);
    byPartner.set(record.partnerId, [...(byPartner.get(record.partnerId) ?? []), record]);
  }
  for (const [partner, keys] of byPartner) {
    const accounts = new Set(keys.map((k) => k.account ?? ''));
    if (accounts.size > 1) problems.push(`${source}: the keys of partner ${partner} name different accounts; a partner has one account`);
    const active = keys.filter((k) => k.expiresAt === undefined || k.expiresAt > now);
    if (active.length > MAX_ACTIVE_KEYS_PER_PARTNER) {
      problems.push(
        `${source}: partner ${partner} has ${active.length} active keys; at most ${MAX_ACTIVE_KEYS_PER_PARTNER} (current + successor during a rotation). Give the old key an expiry or remove it`,
      );
    }
  }
  return problems;
}

/** Looks up a key by its public id. */
export interface PartnerKeyStore {
  /** The record, undefined when unknown. Throws PartnerKeyStoreUnavailableError when the store cannot answer. */
  find(id: string): Promise<PartnerKeyRecord | undefined>;
}

export class PartnerKeyStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('partner key store unavailable', options);
    this.name = 'PartnerKeyStoreUnavailableError';
  }
}

/** Keys from PARTNER_API_KEYS, fixed at boot. */
export class StaticPartnerKeyStore implements PartnerKeyStore {
  private readonly byId: ReadonlyMap<string, PartnerKeyRecord>;

  constructor(records: readonly PartnerKeyRecord[]) {
    this.byId = new Map(records.map((r) => [r.id, r]));
  }

  find(id: string): Promise<PartnerKeyRecord | undefined> {
    return Promise.resolve(this.byId.get(id));
  }
}
