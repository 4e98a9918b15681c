/** Friendlier than Nest's "can't resolve dependencies" when an app forgets to list a lib's env slice. */
export function requireEnv<T>(value: T | undefined, module: string, schema: string): T {
  if (value === undefined) {
    throw new Error(`${module} needs its configuration: add \`${schema}\` (from @bff/auth) to the app definition's env list`);
  }
  return value;
}
