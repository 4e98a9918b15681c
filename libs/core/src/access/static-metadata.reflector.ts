import { Reflector } from '@nestjs/core';

type Target = Parameters<Reflector['getAllAndOverride']>[1][number];

/**
 * A Reflector that answers `getAllAndOverride` from a memo after the first lookup of a (targets, key)
 * pair. Route metadata (decorators on controller classes and handlers) is fixed once the classes are
 * defined, so a guard that reads it on every request — @nestjs/throttler's guard reads six keys per
 * throttler on every request, each on the handler and then the class — can read it once per route.
 * Only for metadata that is not changed at run time; anything else keeps Nest's Reflector.
 */
export class StaticMetadataReflector extends Reflector {
  /** first target → key → the targets (a copy) and the answer. */
  private readonly memo = new WeakMap<object, Map<unknown, { readonly targets: readonly Target[]; readonly value: unknown }[]>>();

  override getAllAndOverride<TResult>(key: unknown, targets: Target[]): TResult {
    const first = targets[0];
    if (first === undefined) return super.getAllAndOverride<TResult>(key, targets);
    let byKey = this.memo.get(first);
    if (!byKey) this.memo.set(first, (byKey = new Map<unknown, { readonly targets: readonly Target[]; readonly value: unknown }[]>()));
    let entries = byKey.get(key);
    if (!entries) byKey.set(key, (entries = []));
    for (const entry of entries) if (sameTargets(entry.targets, targets)) return entry.value as TResult;
    const value = super.getAllAndOverride<TResult>(key, targets);
    entries.push({ targets: [...targets], value });
    return value;
  }
}

/** Whether two target lists of the same memo bucket match (their first target, the bucket key, is equal). */
function sameTargets(a: readonly Target[], b: readonly Target[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 1; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
