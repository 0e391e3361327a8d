import { Router } from '../../../../src/api/http/router';
import type { Route } from '../../../../src/api/http/types';

const route = (method: Route['method'], path: string, since?: string): Route => ({
  method,
  path,
  since,
  handler: async () => ({ status: 204 }),
});

describe('Router', () => {
  const routes = [
    route('GET', '/modules'),
    route('POST', '/modules'),
    route('GET', '/modules/{name}'),
    route('POST', '/modules/{name}/start'),
    route('GET', '/identities/'),
    route('GET', '/systeminfo/resources', '2019-11-05'),
  ];
  const router = new Router(routes);

  it('decodes path parameters', () => {
    const found = router.lookup('GET', '/modules/%24edgeAgent');
    expect(found).toEqual({ kind: 'found', match: { route: routes[2], params: { name: '$edgeAgent' } } });
  });

  it('tells a path with another method from an unknown path', () => {
    expect(router.lookup('DELETE', '/modules')).toEqual({ kind: 'method', allowed: ['GET', 'POST'] });
    expect(router.lookup('GET', '/modules/a/b/c')).toEqual({ kind: 'none' });
  });

  it('treats a trailing slash as upstream: required nowhere, accepted only where the template has it', () => {
    expect(router.lookup('GET', '/modules/').kind).toBe('none');
    expect(router.lookup('GET', '/identities/').kind).toBe('found');
    expect(router.lookup('GET', '/identities').kind).toBe('found');
  });

  it('does not match an empty or undecodable parameter', () => {
    expect(router.lookup('POST', '/modules//start').kind).toBe('none');
    expect(router.lookup('GET', '/modules/%E0%A4%A').kind).toBe('none');
  });

  it('only considers the routes the filter keeps', () => {
    expect(router.lookup('GET', '/systeminfo/resources', (r) => r.since === undefined).kind).toBe('none');
  });
});
