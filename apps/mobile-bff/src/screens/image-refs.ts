/**
 * Image URLs of one answer as references relative to their common base (RFC 3986 §5), so the base is sent
 * once instead of in every URL. A URL outside the base stays absolute, which resolves to itself.
 */
export function imageRefs(urls: readonly string[]): { base: string; ref: (url: string) => string } {
  const base = commonBase(urls);
  return {
    base,
    ref: (url) => {
      if (!base || !url.startsWith(base)) return url;
      const rest = url.slice(base.length);
      // A first segment with a colon would read as a scheme; "./" keeps it a path.
      return /^[^/?#]*:/.test(rest) ? `./${rest}` : rest;
    },
  };
}

/** The longest prefix ending in '/' that every URL shares, beyond its origin; '' when there is none. */
function commonBase(urls: readonly string[]): string {
  const valid = urls.filter((url) => URL.canParse(url));
  if (valid.length === 0) return '';
  let prefix = valid[0].slice(0, valid[0].lastIndexOf('/') + 1);
  for (const url of valid) {
    while (prefix && !url.startsWith(prefix)) prefix = prefix.slice(0, prefix.lastIndexOf('/', prefix.length - 2) + 1);
  }
  const origin = new URL(valid[0]).origin;
  return prefix.length > origin.length ? prefix : '';
}

/** Cuts text to at most `max` characters at a word boundary, ending in "…" when anything was cut. */
export function excerpt(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}
