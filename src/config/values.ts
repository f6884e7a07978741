/**
 * Checks of single configuration values, shared by the environment and the appliances file.
 * Each adds a sentence to `problems` that names where the value came from and how to fix it.
 */
import { readFileSync } from 'node:fs';
import { parseByteSize } from '../lib/byte-size.ts';
import { parseDuration } from '../lib/duration.ts';
import { isApiVersion, type ApiVersion } from '../veeam/api-versions.ts';

import type { Environment } from './types.ts';

export type { Environment };

/**
 * Reads NAME, or the file named by NAME_FILE (Docker and Kubernetes secrets). Setting both is
 * a mistake worth stopping for: which one is meant is unclear.
 */
export function readSecret(env: Environment, name: string, problems: string[]): string | null {
  const direct = env[name]?.trim() || null;
  const file = env[`${name}_FILE`]?.trim() || null;
  if (direct && file) {
    problems.push(`${name} and ${name}_FILE are both set: keep one.`);
    return null;
  }
  if (!file) return direct;
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (!value) problems.push(`${name}_FILE names ${file}, which is empty.`);
    return value || null;
  } catch (error) {
    problems.push(`${name}_FILE names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
}

export function readCaFile(path: string, where: string, problems: string[]): string | null {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      problems.push(`${where} names ${path}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
      return null;
    }
    return pem;
  } catch (error) {
    problems.push(`${where} names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
}

export function parseBoolean(value: string | undefined, name: string, problems: string[]): boolean {
  if (value === undefined || value.trim() === '') return false;
  const normalised = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalised)) return true;
  if (['false', '0', 'no'].includes(normalised)) return false;
  problems.push(`${name}="${value}" is not true or false.`);
  return false;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Problems with an appliance URL; `where` names the setting in messages. */
export function applianceUrlProblems(text: string, where: string, warnings: string[]): { url: string | null; problems: string[] } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: null, problems: [`${where}="${text}" is not a URL: use https://host or https://host:port.`] };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { url: null, problems: [`${where}="${text}" must start with https://.`] };
  }
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    warnings.push(`${where} uses plain http: the appliance password crosses the network unencrypted. Appliances serve https on port 443.`);
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    warnings.push(`${where} has a path (${url.pathname}); the bot adds /api/… itself and ignores it.`);
  }
  return { url: url.origin, problems: [] };
}

export function parseApiVersion(value: string | undefined, where: string, problems: string[]): ApiVersion | 'auto' {
  const text = value?.trim() || 'auto';
  if (text === 'auto' || isApiVersion(text)) return text;
  problems.push(`${where}="${text}" is not a known API version: use auto, or one of v1…v8.1 (v1, v2, v3, v4, v5, v6, v7, v8, v8.1).`);
  return 'auto';
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

export function channelProblems(channels: readonly string[], where: string): string[] {
  return channels
    .filter((channel) => !CHANNEL_ID.test(channel))
    .map((channel) =>
      `${where}: "${channel}" is not a channel ID: use IDs like C0123ABCD (in Slack: channel name → About → Channel ID), not names.`,
    );
}


/** READ_TIMEOUT, or an appliance's readTimeout: how long one whole read may take. Null when unset or wrong. */
export function parseReadTimeout(value: string | undefined, where: string, problems: string[]): number | null {
  const text = value?.trim();
  if (!text) return null;
  const ms = parseDuration(text);
  if (ms === null || ms < 1000) {
    problems.push(`${where}="${text}" is not a duration of at least a second, such as 2m, 90s or 5m.`);
    return null;
  }
  return ms;
}

/** MAX_PAGE_BYTES: the largest answer the bot takes from an appliance. Null when unset or wrong. */
export function parseMaxPageBytes(value: string | undefined, where: string, problems: string[]): number | null {
  const text = value?.trim();
  if (!text) return null;
  const bytes = parseByteSize(text);
  if (bytes === null || bytes < 1024) {
    problems.push(`${where}="${text}" is not a size of at least 1KiB: give bytes, or a number with KiB, MiB or GiB (e.g. 64MiB).`);
    return null;
  }
  return bytes;
}
