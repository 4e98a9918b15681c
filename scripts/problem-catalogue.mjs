// The problem type catalogue for the docs portal, read from libs/core's source so the portal builds without
// `npm run build` (the file has no imports of its own, so Node's type stripping loads it as is).
import { PROBLEM_TYPES, problemSlug } from '../libs/core/src/errors/problem-types.ts';

/** One page per entry of PROBLEM_TYPES: the slug of its `type` URI and the entry. */
export function problemPages() {
  return Object.entries(PROBLEM_TYPES).map(([code, info]) => ({ slug: problemSlug(code), info }));
}
