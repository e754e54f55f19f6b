import { describe, expect, it } from '@jest/globals';
import { RequestError } from '@octokit/request-error';
import { isUserError } from '../util/errors.js';
import { explainGitHubError } from './client.js';

const request = { method: 'GET' as const, url: 'https://ghe.example.com/api/v3/repos/a/b/issues/1', headers: {} };

describe('explainGitHubError', () => {
  it('a request that got no answer names the API address and what to check', () => {
    const err = new RequestError('getaddrinfo ENOTFOUND ghe.example.com', 500, { request });
    const explained = explainGitHubError(err, 'reading #1') as Error;
    expect(isUserError(explained)).toBe(true);
    expect(explained.message).toBe(
      'reading #1: could not reach GitHub at https://ghe.example.com (getaddrinfo ENOTFOUND ghe.example.com); check GITHUB_API_URL and the network access of the machine it runs on',
    );
    expect(explained.cause).toBe(err);
  });

  it('a 500 that GitHub answered is passed on unchanged: a server fault, not the user’s', () => {
    const response = { status: 500, url: request.url, headers: {}, data: 'oops' };
    const err = new RequestError('Internal Server Error', 500, { request, response });
    expect(explainGitHubError(err, 'reading #1')).toBe(err);
    const plain = new Error('boom');
    expect(explainGitHubError(plain, 'reading #1')).toBe(plain);
  });

  it.each([
    [401, /GitHub rejected the token/],
    [403, /not allowed to do this/],
    [404, /not found \(404\)/],
  ])('%i is a user error saying how to fix it', (status, message) => {
    const response = { status, url: request.url, headers: {}, data: {} };
    const explained = explainGitHubError(new RequestError('x', status, { request, response }), 'w') as Error;
    expect([isUserError(explained), explained.message]).toEqual([true, expect.stringMatching(message)]);
  });
});
