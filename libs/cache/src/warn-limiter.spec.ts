import { describe, expect, it } from 'vitest';

import { WarnLimiter } from './warn-limiter.js';

describe('WarnLimiter', () => {
  it('logs at most once per interval and kind, then reports what it suppressed', async () => {
    const lines: string[] = [];
    const limiter = new WarnLimiter({ warn: (m: string) => lines.push(m) }, 50);
    for (let i = 0; i < 100; i++) limiter.warn('redis', 'Redis down');
    limiter.warn('other', 'Other');
    expect(lines).toEqual(['Redis down', 'Other']);
    await new Promise((r) => setTimeout(r, 60));
    limiter.warn('redis', 'Redis down');
    expect(lines).toEqual(['Redis down', 'Other', 'Redis down (99 similar warnings suppressed)']);
    limiter.reset('redis');
    limiter.warn('redis', 'Redis down again');
    expect(lines.at(-1)).toBe('Redis down again');
  });
});
