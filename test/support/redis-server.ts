/**
 * A throw-away redis-server for tests: a free loopback port, no persistence, stopped by stop().
 *
 *   const redis = await startRedisServer();
 *   afterAll(() => redis.stop());
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The server's process id, to stall it (SIGSTOP / SIGCONT) like a frozen or swapped-out Redis. */
  readonly pid: number;
  stop(): Promise<void>;
}

const NOT_INSTALLED = 'redis-server is not installed (looked in /usr/bin and PATH): install it (e.g. `apt-get install redis-server`) to run the Redis tests';

function locateRedisServer(): string | undefined {
  const candidates = ['/usr/bin/redis-server', ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'redis-server'))];
  return candidates.find((candidate) => existsSync(candidate));
}

function findRedisServer(): string {
  const found = locateRedisServer();
  if (found === undefined) throw new Error(NOT_INSTALLED);
  return found;
}

/**
 * Whether a test file that needs redis-server should skip. Without redis-server on a developer's
 * machine the Redis tests skip, with a banner nobody can miss; in CI (CI set) they never skip, so a
 * missing redis-server fails them there instead of passing unnoticed.
 */
export function skipWithoutRedis(
  file: string,
  found: { binary: string | undefined; ci: string | undefined } = { binary: locateRedisServer(), ci: process.env['CI'] },
): boolean {
  if (found.binary !== undefined || found.ci) return false;
  const bar = '!'.repeat(100);
  console.warn(`${bar}\n!! SKIPPED ${file}: ${NOT_INSTALLED}.\n!! (With CI set, these tests run and fail instead.)\n${bar}`);
  return true;
}

/** A port nobody listens on right now: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(child: ChildProcess, port: number, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited (code ${child.exitCode}, signal ${child.signalCode}) before listening on ${port}:\n${output()}`);
    }
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = findRedisServer();
  // Another process may take the port between freePort() and redis binding it: retry.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitUntilListening(child, port, () => log, 5_000);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 3 && /address already in use/i.test(log)) continue;
      throw error;
    }
    let stopping: Promise<void> | undefined;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: child.pid!,
      stop() {
        stopping ??= (async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
          await exited;
          clearTimeout(timer);
        })();
        return stopping;
      },
    };
  }
}
