/** Runs `node …args` as a user would, and answers its wall time, peak RSS and the modules it resolved. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProcessRun {
  readonly ms: number;
  readonly exitCode: number | null;
  readonly maxRssKb: number;
  readonly modules: readonly string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./usage-preload.ts', import.meta.url));

export async function runProcess(args: readonly string[], env: Record<string, string | undefined>): Promise<ProcessRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'restorepoints-bench-'));
  const report = path.join(dir, 'usage.json');
  try {
    const started = performance.now();
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
        cwd: ROOT,
        env: { ...env, USAGE_REPORT_TO: report },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0 && code !== 1) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
        else resolve(code);
      });
    });
    const elapsed = performance.now() - started;
    const usage = JSON.parse(readFileSync(report, 'utf8')) as { maxRssKb: number; modules: string[] };
    return { ms: elapsed, exitCode, ...usage };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment without any restorepoints configuration, so a command sees only what it is given. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const kept = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VEEAM_|SLACK_|REDIS_|DIGEST_|RESTOREPOINTS_|CACHE_TTL|STALE_AFTER)/.test(name)));
  return { ...kept, TZ: 'UTC', ...extra };
}
