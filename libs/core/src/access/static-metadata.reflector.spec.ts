import 'reflect-metadata';
import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { StaticMetadataReflector } from './static-metadata.reflector.js';

const KEY = 'test:key';

@SetMetadata(KEY, 'class')
class Decorated {
  @SetMetadata(KEY, 'handler')
  own(): void {}

  inherited(): void {}
}

class Plain {
  inherited(): void {}
}

/** A subclass sharing its parent's handler function, so the same handler meets two classes. */
@SetMetadata(KEY, 'child')
class Child extends Decorated {}

describe('StaticMetadataReflector', () => {
  const nest = new Reflector();

  it('answers exactly what Nest reflector answers, for every (handler, class) pair', () => {
    const memo = new StaticMetadataReflector();
    const pairs: [() => void, object][] = [
      [Decorated.prototype.own, Decorated],
      [Decorated.prototype.inherited, Decorated],
      [Decorated.prototype.inherited, Child],
      [Plain.prototype.inherited, Plain],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [handler, cls] of pairs) {
        expect(memo.getAllAndOverride(KEY, [handler, cls as () => void])).toBe(nest.getAllAndOverride(KEY, [handler, cls as () => void]));
      }
    }
    expect(memo.getAllAndOverride(KEY, [Decorated.prototype.inherited, Child])).toBe('child');
    expect(memo.getAllAndOverride(KEY, [Decorated.prototype.inherited, Decorated])).toBe('class');
    expect(memo.getAllAndOverride(KEY, [Plain.prototype.inherited, Plain])).toBeUndefined();
  });

  it('reads the metadata once per (targets, key), including absent metadata', () => {
    const memo = new StaticMetadataReflector();
    let reads = 0;
    const original = Reflect.getMetadata.bind(Reflect);
    const spy = (key: unknown, target: object): unknown => {
      if (key === KEY) reads++;
      return original(key, target);
    };
    Reflect.getMetadata = spy as typeof Reflect.getMetadata;
    try {
      for (let i = 0; i < 5; i++) {
        memo.getAllAndOverride(KEY, [Decorated.prototype.own, Decorated]);
        memo.getAllAndOverride(KEY, [Plain.prototype.inherited, Plain]);
      }
    } finally {
      Reflect.getMetadata = original;
    }
    // Nest's reflector reads the handler, and the class only when the handler has none: 1 + 2 reads.
    expect(reads).toBe(3);
  });
});
