/**
 * What the Docker image relies on, tested without a Docker engine: exactly the files the
 * Dockerfile copies, with production dependencies only (`npm ci --omit=dev`), run the command
 * line and the demo; the HEALTHCHECK command works with Node alone; the image runs as a
 * non-root user; compose.yaml describes two replicas sharing Redis.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { healthRoute, startRouteServer } from '../../src/http/routes.ts';
import { closedPort } from '../support/veeam.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = (await readFile(join(ROOT, '.dockerignore'), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** Dockerfile instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** What the final image gets from the build context: the sources of COPY lines without --from. */
const copied = [
  ...new Set(
    instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from=')).flatMap((line) => line.split(/\s+/).slice(1, -1)),
  ),
];

/** The files a commit would hold (tracked, and new files not ignored), as the build context has them. */
function projectFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return listed.split('\0').filter((file) => file && existsSync(join(ROOT, file)));
}

describe('the Dockerfile', () => {
  it('builds on an official Node 24 image, installs production dependencies only, runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z-]+$/m);
    expect(instructions.filter((line) => line.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS dependencies', 'FROM ${NODE_IMAGE}']);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    const users = instructions.filter((line) => line.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
    expect(instructions).toContain('ENTRYPOINT ["node", "bin/restorepoints.ts"]');
    expect(instructions.at(-1)).toBe('CMD ["serve"]');
    expect(copied.sort()).toEqual(['bin', 'manifest.yml', 'package-lock.json', 'package.json', 'src'].sort());
  });

  it('copies nothing that .dockerignore leaves out of the build context', () => {
    for (const source of copied) {
      for (const pattern of dockerignore) expect(matchesGlob(source, pattern), `${source} is excluded by "${pattern}"`).toBe(false);
    }
    for (const excluded of ['node_modules', '.git', 'test', '.env']) {
      expect(dockerignore.some((pattern) => matchesGlob(excluded, pattern)), `${excluded} should not reach the build context`).toBe(true);
    }
  });

  it('checks health with Node itself: exit 0 when /healthz answers, 1 when it does not', async () => {
    const healthcheck = instructions.find((line) => line.startsWith('HEALTHCHECK '))!;
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD ') + 4)) as string[];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    const server = await startRouteServer([healthRoute], 0);
    try {
      const env = { PATH: process.env['PATH'] ?? '' };
      await expect(run(process.execPath, command.slice(1), { env: { ...env, PORT: String(server.port) } })).resolves.toBeDefined();
      const down = run(process.execPath, command.slice(1), { env: { ...env, PORT: String(await closedPort()) } });
      await expect(down).rejects.toMatchObject({ code: 1 });
    } finally {
      await server.close();
    }
  });
});

describe('compose.yaml', () => {
  it('runs two bot replicas that share Redis, with secrets from files', async () => {
    const compose = parse(await readFile(join(ROOT, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { deploy?: { replicas?: number }; environment?: Record<string, string>; secrets?: string[]; image?: string; build?: string }>;
      secrets: Record<string, { file: string }>;
    };
    const bot = compose.services['restorepoints']!;
    expect(bot.build).toBe('.');
    expect(bot.deploy?.replicas).toBe(2);
    expect(compose.services['redis']?.image).toMatch(/^redis:/);
    expect(bot.environment?.['REDIS_URL']).toBe('redis://redis:6379');
    for (const [name, value] of Object.entries(bot.environment ?? {})) {
      expect(/TOKEN$|SECRET$|PASSWORD$/.test(name), `${name} should come from a file (${name}_FILE)`).toBe(false);
      if (name.endsWith('_FILE') || name === 'VEEAM_CA_FILE') {
        const secret = value.replace('/run/secrets/', '');
        expect(bot.secrets).toContain(secret);
        expect(compose.secrets[secret]?.file).toBeDefined();
      }
    }
  });
});

describe('a production install (npm ci --omit=dev) of what the image holds', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'restorepoints-image-'));
    const files = projectFiles().filter((file) => copied.some((source) => file === source || file.startsWith(`${source}/`)));
    expect(files).toContain('src/cli.ts');
    for (const file of files) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await cp(join(ROOT, file), join(dir, file));
    }
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env: process.env, timeout: 120_000 });
  }, 150_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]) =>
    run(process.execPath, [join(dir, 'bin/restorepoints.ts'), ...args], { cwd: dir, env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC' }, timeout: 30_000 });

  it('has no development dependency', () => {
    for (const dev of ['vitest', 'typescript', 'fast-check', 'ajv']) expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);
  });

  it('runs --help, listing every command', async () => {
    const { stdout } = await cli(['--help']);
    for (const command of ['serve', 'demo', 'summary', 'query', 'digest', 'check']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('runs the demo (the whole read path against the embedded appliance)', async () => {
    const { stdout } = await cli(['demo']);
    expect(stdout).toContain('This is the embedded demo appliance.');
  });
});
