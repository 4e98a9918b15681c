import { useContainer } from 'class-validator';

type ConstraintClass = abstract new (...args: never[]) => unknown;

/**
 * class-validator's constraint instances, one per class, found in a Map.
 *
 * class-validator's default container finds the instance of a constraint class with a linear search
 * over every constraint instantiated so far, and `ValidateBy` (behind every built-in decorator) makes
 * one class per decorator application: once the environment schema and the DTOs have been validated,
 * that is hundreds of entries, searched for every validated property of every request. Same instances,
 * same lifetime (one per class, created on first use), constant-time lookup.
 */
export class ConstraintInstances {
  private readonly instances = new Map<ConstraintClass, unknown>();

  get<T>(someClass: ConstraintClass): T {
    let instance = this.instances.get(someClass);
    if (instance === undefined) {
      instance = new (someClass as unknown as new () => unknown)();
      this.instances.set(someClass, instance);
    }
    return instance as T;
  }
}

let installed = false;

/**
 * Makes class-validator use ConstraintInstances (once per process; createPlatformApp calls it before
 * the environment is validated). An app that needs DI-injected constraints calls class-validator's
 * `useContainer(app.select(AppModule), { fallbackOnErrors: true })` after boot instead.
 */
export function installConstraintContainer(): void {
  if (installed) return;
  installed = true;
  useContainer(new ConstraintInstances(), { fallback: true, fallbackOnErrors: true });
}
