import { ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';

import { runGuards } from './guard-chain.js';

const context = {} as ExecutionContext;

/** A guard that records its call and answers `answer`. */
function guard(calls: string[], name: string, answer: () => ReturnType<CanActivate['canActivate']>): CanActivate {
  return {
    canActivate: () => {
      calls.push(name);
      return answer();
    },
  };
}

describe('runGuards (the fast path of cached hits)', () => {
  it('stays synchronous while every guard answers true synchronously, in order', () => {
    const calls: string[] = [];
    expect(runGuards([guard(calls, 'a', () => true), guard(calls, 'b', () => true)], context)).toBe(true);
    expect(calls).toEqual(['a', 'b']);
    expect(runGuards([], context)).toBe(true);
  });

  it("answers a synchronous false with Nest's ForbiddenException and runs no later guard", () => {
    const calls: string[] = [];
    expect(() => runGuards([guard(calls, 'a', () => false), guard(calls, 'b', () => true)], context)).toThrow(ForbiddenException);
    expect(calls).toEqual(['a']);
    let thrown: unknown;
    try {
      void runGuards([guard([], 'a', () => false)], context);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ForbiddenException);
    expect((thrown as ForbiddenException).getResponse()).toMatchObject({ statusCode: 403, message: 'Forbidden resource' });
  });

  it('passes on what a guard throws, synchronously', () => {
    const refusal = new Error('refused');
    expect(() =>
      runGuards(
        [
          guard([], 'a', () => {
            throw refusal;
          }),
        ],
        context,
      ),
    ).toThrow(refusal);
  });

  it('continues after a promise or an observable, in order, and settles once all have run', async () => {
    const calls: string[] = [];
    const chain = runGuards(
      [
        guard(calls, 'sync', () => true),
        guard(calls, 'promise', () => Promise.resolve(true)),
        guard(calls, 'observable', () => of(true)),
        guard(calls, 'last', () => true),
      ],
      context,
    );
    expect(chain).toBeInstanceOf(Promise);
    expect(calls).toEqual(['sync', 'promise']);
    await expect(chain).resolves.toBeUndefined();
    expect(calls).toEqual(['sync', 'promise', 'observable', 'last']);
  });

  it('rejects with ForbiddenException on a falsy asynchronous answer, and passes on a rejection', async () => {
    const calls: string[] = [];
    await expect(
      runGuards([guard(calls, 'a', () => Promise.resolve(false)), guard(calls, 'b', () => true)], context),
    ).rejects.toBeInstanceOf(ForbiddenException);
    expect(calls).toEqual(['a']);
    await expect(runGuards([guard([], 'a', () => of(false))], context)).rejects.toBeInstanceOf(ForbiddenException);
    const refusal = new Error('refused later');
    await expect(
      runGuards([guard([], 'a', () => Promise.resolve(true)), guard([], 'b', () => Promise.reject(refusal))], context),
    ).rejects.toBe(refusal);
  });
});
