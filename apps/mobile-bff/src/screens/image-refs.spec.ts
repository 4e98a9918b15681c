import { describe, expect, it } from 'vitest';

import { excerpt, imageRefs } from './image-refs.js';

describe('imageRefs', () => {
  it('sends the common base once and paths relative to it, which resolve back to the URLs', () => {
    const urls = ['https://img.example/products/p-1/1.jpg', 'https://img.example/products/p-2/thumb.jpg'];
    const { base, ref } = imageRefs(urls);
    expect(base).toBe('https://img.example/products/');
    expect(urls.map(ref)).toEqual(['p-1/1.jpg', 'p-2/thumb.jpg']);
    for (const url of urls) expect(new URL(ref(url), base).href).toBe(url);
  });

  it('keeps URLs of another origin absolute and never lets a path read as a scheme', () => {
    const { base, ref } = imageRefs(['https://a.example/x/1.jpg', 'https://a.example/x/y:z.jpg', 'https://b.example/1.jpg']);
    expect(base).toBe('');
    expect(ref('https://b.example/1.jpg')).toBe('https://b.example/1.jpg');
    const same = imageRefs(['https://a.example/x/1.jpg', 'https://a.example/x/y:z.jpg']);
    expect(same.ref('https://a.example/x/y:z.jpg')).toBe('./y:z.jpg');
    expect(new URL(same.ref('https://a.example/x/y:z.jpg'), same.base).href).toBe('https://a.example/x/y:z.jpg');
  });

  it('has no base for no URLs or a bare origin in common', () => {
    expect(imageRefs([]).base).toBe('');
    expect(imageRefs(['https://a.example/1.jpg', 'https://a.example/2.jpg']).base).toBe('https://a.example/');
  });
});

describe('excerpt', () => {
  it('keeps short text and cuts long text at a word boundary with an ellipsis', () => {
    expect(excerpt('  Works well.  ', 48)).toBe('Works well.');
    const cut = excerpt('Good quality and fast delivery. Minor nitpicks only.', 48);
    expect(cut).toBe('Good quality and fast delivery. Minor nitpicks…');
    expect(cut.length).toBeLessThanOrEqual(48);
    expect(excerpt('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
