import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipWithoutRedis } from './redis-server.ts';

describe('skipWithoutRedis', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs the Redis tests when redis-server is installed', () => {
    expect(skipWithoutRedis('x.test.ts', { binary: '/usr/bin/redis-server', ci: undefined })).toBe(false);
  });

  it('skips them loudly on a developer machine without redis-server, saying what to install', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(skipWithoutRedis('test/e2e/replicas.test.ts', { binary: undefined, ci: undefined })).toBe(true);
    const banner = warn.mock.calls.map((call) => String(call[0])).join('\n');
    expect(banner).toContain('SKIPPED test/e2e/replicas.test.ts');
    expect(banner).toContain('apt-get install redis-server');
  });

  it('never skips them in CI: a missing redis-server fails them there', () => {
    expect(skipWithoutRedis('x.test.ts', { binary: undefined, ci: 'true' })).toBe(false);
  });
});
