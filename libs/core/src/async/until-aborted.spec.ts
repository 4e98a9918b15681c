import { describe, expect, it } from 'vitest';

import { untilAborted } from './until-aborted.js';

describe('untilAborted', () => {
  it('settles like the promise while the signal stays quiet, and without a signal', async () => {
    expect(await untilAborted(Promise.resolve(1), new AbortController().signal)).toBe(1);
    expect(await untilAborted(Promise.resolve(2), undefined)).toBe(2);
    await expect(untilAborted(Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow('boom');
  });

  it('rejects with the reason when the signal aborts, or at once when it already has; the promise goes on', async () => {
    let release: (value: string) => void = () => undefined;
    const shared = new Promise<string>((resolve) => (release = resolve));
    const controller = new AbortController();
    const waiting = untilAborted(shared, controller.signal);
    controller.abort(new Error('budget'));
    await expect(waiting).rejects.toThrow('budget');
    await expect(untilAborted(shared, controller.signal)).rejects.toThrow('budget');
    release('done');
    expect(await shared).toBe('done');
  });
});
