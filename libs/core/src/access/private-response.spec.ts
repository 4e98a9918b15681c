import { describe, expect, it } from 'vitest';

import { appendVary, credentialHeaderOf } from './private-response.js';

describe('personal answers', () => {
  it('finds the credential header of each kind of security scheme', () => {
    expect(credentialHeaderOf({ type: 'apiKey', in: 'cookie', name: '__Host-bff-session' })).toBe('Cookie');
    expect(credentialHeaderOf({ type: 'apiKey', in: 'header', name: 'X-Api-Key' })).toBe('X-Api-Key');
    expect(credentialHeaderOf({ type: 'apiKey', in: 'query', name: 'key' })).toBeUndefined();
    expect(credentialHeaderOf({ type: 'http', scheme: 'bearer' })).toBe('Authorization');
    expect(credentialHeaderOf({ type: 'openIdConnect', openIdConnectUrl: 'https://login.example.com' })).toBe('Authorization');
  });

  it('adds a field to Vary once, keeping what CORS set, and leaves Vary: * alone', () => {
    expect(appendVary(undefined, 'Cookie')).toBe('Cookie');
    expect(appendVary('Origin', 'Cookie')).toBe('Origin, Cookie');
    expect(appendVary(['Origin', 'Accept-Language'], 'Authorization')).toBe('Origin, Accept-Language, Authorization');
    expect(appendVary('origin, cookie', 'Cookie')).toBe('origin, cookie');
    expect(appendVary('*', 'Cookie')).toBe('*');
  });
});
