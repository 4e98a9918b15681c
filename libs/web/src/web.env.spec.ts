import { describe, expect, it } from 'vitest';

import { remoteApiEnv, spaEnv } from './web.env.js';

describe('web env slices', () => {
  it('default to no SPA, no extra image origins and a 16 KiB remote body limit', () => {
    expect(spaEnv.parse({}).value).toMatchObject({ SPA_DIR: undefined, SPA_IMG_ORIGINS: [] });
    expect(remoteApiEnv.parse({}).value).toMatchObject({ REMOTE_API_MAX_BODY_BYTES: 16 * 1024 });
  });

  it('reads the image origins as a list', () => {
    expect(spaEnv.parse({ SPA_DIR: './dist', SPA_IMG_ORIGINS: 'https://a.example.com, https://b.example.com' }).value).toMatchObject({
      SPA_DIR: './dist',
      SPA_IMG_ORIGINS: ['https://a.example.com', 'https://b.example.com'],
    });
  });

  it('refuses image origins that would inject into the policy, and bad limits', () => {
    for (const bad of ["https://a.example.com; script-src 'unsafe-inline'", 'http://a.example.com', 'https://a.example.com/path', '*']) {
      expect(spaEnv.parse({ SPA_IMG_ORIGINS: bad }).problems, bad).toEqual([expect.stringContaining('SPA_IMG_ORIGINS')]);
    }
    for (const bad of ['-1', 'lots', String(64 * 1024 * 1024)]) {
      expect(remoteApiEnv.parse({ REMOTE_API_MAX_BODY_BYTES: bad }).problems, bad).toEqual([
        expect.stringContaining('REMOTE_API_MAX_BODY_BYTES'),
      ]);
    }
  });
});
