import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

import type { DocumentContribution } from '../openapi/document-contract.js';

export type RawEnv = Readonly<Record<string, string | undefined>>;

/** A typed slice of the environment owned by one app or lib. */
export interface EnvSchema<T = unknown> {
  /** Who owns these variables (shown in the boot error). */
  readonly owner: string;
  /** Provider token under which the parsed value is injectable. */
  readonly token: unknown;
  parse(env: RawEnv): { value?: T; problems: string[] };
  /** What the owning lib adds to the OpenAPI document of every app listing this slice (global guards and hooks). */
  readonly openApi?: DocumentContribution;
}

function describe(errors: readonly ValidationError[], out: string[] = []): string[] {
  for (const error of errors) {
    for (const message of Object.values(error.constraints ?? {})) out.push(message);
    if (error.children) describe(error.children, out);
  }
  return out;
}

/**
 * Wraps a class-validator class as an env schema. Properties are named exactly like the
 * variables (e.g. `PORT`); class-transformer's implicit conversion turns strings into numbers and
 * booleans, and `@Transform` handles lists.
 */
export function envClass<T extends object>(cls: new () => T, owner: string = cls.name): EnvSchema<T> {
  return {
    owner,
    token: cls,
    parse(env) {
      const value = plainToInstance(cls, { ...env }, { enableImplicitConversion: true, exposeDefaultValues: true });
      const errors = validateSync(value, { whitelist: false, forbidUnknownValues: true, validationError: { target: false } });
      return errors.length ? { problems: [...new Set(describe(errors))] } : { value, problems: [] };
    },
  };
}

/** Thrown at boot when the environment is invalid. Its message lists every problem at once. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/** Parses every schema and fails once, listing all problems of all schemas. */
export function validateEnvironment(schemas: readonly EnvSchema[], env: RawEnv): Map<unknown, unknown> {
  const values = new Map<unknown, unknown>();
  const problems: string[] = [];
  for (const schema of schemas) {
    const result = schema.parse(env);
    if (result.problems.length) problems.push(...result.problems.map((p) => `[${schema.owner}] ${p}`));
    else values.set(schema.token, result.value);
  }
  if (problems.length) throw new ConfigValidationError(problems);
  return values;
}
