import { describe, expect, it } from 'vitest';
import { csrfProblem, sessionIdFromHeaders } from './session-cookie.js';

const ID = 'abcdefghij_KLMNOP-0123';

describe('session cookie', () => {
  it('finds the session id among other cookies, spaces around it trimmed', () => {
    expect(sessionIdFromHeaders({ cookie: `theme=dark; wab_session= ${ID} ; lang=ar` })).toBe(ID);
    expect(sessionIdFromHeaders({ cookie: `wab_session=${ID}` })).toBe(ID);
  });

  it('ignores a missing header, other cookies, a bare name and values that are not an id', () => {
    expect(sessionIdFromHeaders({})).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: `other=${ID}` })).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: 'wab_session' })).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: `=${ID}` })).toBeUndefined();
    expect(sessionIdFromHeaders({ cookie: `wab_session=x'; DROP TABLE sessions;${ID}` })).toBeUndefined(); // anchored at the start
    expect(sessionIdFromHeaders({ cookie: `wab_session=${ID}!!` })).toBeUndefined(); // and at the end
    expect(sessionIdFromHeaders({ cookie: 'wab_session=short' })).toBeUndefined();
  });

  it('lets safe methods through without the CSRF header, not the others', () => {
    for (const m of ['GET', 'head', 'OPTIONS']) expect(csrfProblem(m, { host: 'h' })).toBeNull();
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) expect(csrfProblem(m, { host: 'h' })).toMatch(/x-wab-csrf/);
    expect(csrfProblem('POST', { host: 'h', 'x-wab-csrf': '1' })).toBeNull();
    expect(csrfProblem('POST', { host: 'h', 'x-wab-csrf': '' })).toMatch(/x-wab-csrf/);
  });

  it('refuses another site by its Origin, even for a safe method; a bad Origin is another site', () => {
    expect(csrfProblem('GET', { host: 'bridge:8080', origin: 'https://evil.example' })).toMatch(/another site/);
    expect(csrfProblem('GET', { host: 'bridge:8080', origin: 'not a url' })).toMatch(/another site/);
    expect(csrfProblem('POST', { host: 'bridge:8080', origin: 'http://bridge:8080', 'x-wab-csrf': '1' })).toBeNull();
  });
});
