import { Type } from 'class-transformer';
import { IsInt, IsString, Max, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';

import { PlatformError } from './platform-error.js';
import { PlatformValidationPipe } from './validation.js';

class Item {
  @IsInt() @Max(10) quantity: number;
}
class Body {
  @IsString() name: string;
  @ValidateNested({ each: true }) @Type(() => Item) items: Item[];
}

describe('PlatformValidationPipe', () => {
  const pipe = new PlatformValidationPipe();

  it('lists every field with the constraint it broke and where it came from', async () => {
    const error = await pipe
      .transform({ name: 3, items: [{ quantity: 11 }], extra: true }, { type: 'body', metatype: Body })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformError);
    const problem = error as PlatformError;
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.status).toBe(400);
    const errors = [...(problem.extensions?.errors as { field: string }[])].sort((a, b) => a.field.localeCompare(b.field));
    expect(errors).toEqual([
      { field: 'extra', in: 'body', constraints: { whitelistValidation: 'property extra should not exist' } },
      { field: 'items.0.quantity', in: 'body', constraints: { max: 'quantity must not be greater than 10' } },
      { field: 'name', in: 'body', constraints: { isString: 'name must be a string' } },
    ]);
  });

  it('transforms valid input into the DTO class', async () => {
    const value = await pipe.transform({ name: 'x', items: [{ quantity: 2 }] }, { type: 'body', metatype: Body });
    expect(value).toBeInstanceOf(Body);
    expect((value as Body).items[0]).toBeInstanceOf(Item);
  });
});
