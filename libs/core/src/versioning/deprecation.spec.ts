import { describe, expect, it } from 'vitest';

import { deprecationOf, describeDeprecation } from './deprecation.js';

describe('deprecationOf', () => {
  it('computes the RFC 9745 date, the RFC 8594 HTTP-date and the Link targets', () => {
    const deprecation = deprecationOf({
      since: '2026-12-01',
      sunset: '2027-06-30',
      successor: '/v2/catalog/lookup',
      docs: 'https://developer.example.com/changes/lookup',
    });
    expect(deprecation.headers).toEqual({
      deprecation: '@1796083200',
      sunset: 'Wed, 30 Jun 2027 00:00:00 GMT',
      link: '</v2/catalog/lookup>; rel="successor-version", <https://developer.example.com/changes/lookup>; rel="deprecation"; type="text/html"',
    });
    expect(describeDeprecation(deprecation)).toBe(
      'Deprecated since 2026-12-01; removed after 2027-06-30 (Sunset). Use /v2/catalog/lookup instead. See https://developer.example.com/changes/lookup.',
    );
  });

  it('sends no Link when there is no successor and no notice', () => {
    expect(deprecationOf({ since: '2026-01-01', sunset: '2026-01-02' }).headers).toEqual({
      deprecation: '@1767225600',
      sunset: 'Fri, 02 Jan 2026 00:00:00 GMT',
    });
  });

  it.each([
    [{ since: '2026-13-01', sunset: '2027-01-01' }, /since must be an ISO date/],
    [{ since: '2026-02-30', sunset: '2027-01-01' }, /since must be an ISO date/],
    [{ since: '2026-01-01', sunset: 'next year' }, /sunset must be an ISO date/],
    [{ since: '2026-06-01', sunset: '2026-06-01' }, /sunset \(2026-06-01\) must come after since/],
    [{ since: '2026-06-01', sunset: '2027-06-01', successor: '/v2/items/{id}' }, /successor must be an absolute path/],
    [{ since: '2026-06-01', sunset: '2027-06-01', successor: 'v2/items' }, /successor must be an absolute path/],
    [{ since: '2026-06-01', sunset: '2027-06-01', successor: '//evil.example/v2' }, /successor must be an absolute path/],
    [{ since: '2026-06-01', sunset: '2027-06-01', docs: 'javascript:alert(1)' }, /docs must be an absolute path or an http\(s\) URL/],
    [{ since: '2026-06-01', sunset: '2027-06-01', docs: 'https://x.example/a b' }, /docs must be an absolute path/],
  ])('refuses %j', (options, message) => {
    expect(() => deprecationOf(options)).toThrow(message);
  });
});
