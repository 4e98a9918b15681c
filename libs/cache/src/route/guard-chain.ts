import { ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/guards/constants.js';
import { isObservable, lastValueFrom } from 'rxjs';

/**
 * Runs a route's guards as Nest's GuardsConsumer does: in order, each answer a boolean, a promise or
 * an observable of one, a falsy answer being Nest's ForbiddenException ('Forbidden resource'); an
 * error thrown or rejected by a guard is passed on. Unlike Nest's consumer it stays synchronous as
 * long as the guards answer synchronously: `true` when all passed without a promise, else a promise
 * that settles once the rest have run.
 */
export function runGuards(guards: readonly CanActivate[], context: ExecutionContext, from = 0): true | Promise<void> {
  for (let i = from; i < guards.length; i++) {
    const answer = guards[i].canActivate(context);
    if (answer === true) continue;
    if (answer === false) throw new ForbiddenException(FORBIDDEN_MESSAGE);
    return Promise.resolve(answer)
      .then((value: unknown) => (isObservable(value) ? lastValueFrom(value) : value))
      .then((value) => {
        if (!value) throw new ForbiddenException(FORBIDDEN_MESSAGE);
        const rest = runGuards(guards, context, i + 1);
        return rest === true ? undefined : rest;
      });
  }
  return true;
}
