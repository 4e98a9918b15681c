import 'reflect-metadata';
import { IsInt, Matches, Min, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ConstraintInstances, installConstraintContainer } from './constraint-container.js';

class Query {
  @Matches(/^[a-z]+$/)
  name!: string;

  @IsInt()
  @Min(1)
  limit!: number;
}

describe('ConstraintInstances', () => {
  it('creates one instance per class, on first use, and hands out that instance afterwards', () => {
    class A {
      readonly kind = 'a';
    }
    class B {
      readonly kind = 'b';
    }
    const container = new ConstraintInstances();
    const a = container.get<A>(A);
    expect(a).toBeInstanceOf(A);
    expect(container.get(A)).toBe(a);
    expect(container.get(B)).toBeInstanceOf(B);
    expect(container.get(B)).not.toBe(a);
  });

  it('validates exactly as before once installed: valid input passes, each broken constraint is reported', () => {
    installConstraintContainer();
    const ok = Object.assign(new Query(), { name: 'abc', limit: 2 });
    expect(validateSync(ok)).toEqual([]);
    const bad = Object.assign(new Query(), { name: 'ABC', limit: 0 });
    const errors = validateSync(bad);
    expect(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})])).toEqual([
      ['name', ['matches']],
      ['limit', ['min']],
    ]);
  });
});
