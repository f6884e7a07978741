/**
 * Several appliances from one YAML file (RESTOREPOINTS_CONFIG). Every problem names the file,
 * the entry and the field, and all of them are reported at once, like the environment's.
 *
 *   appliances:
 *     - name: westeurope
 *       url: https://vba-weu.example.com
 *       username: restorepoints
 *       passwordFile: /run/secrets/vba-weu      # or passwordEnv: VBA_WEU_PASSWORD
 *       caFile: /etc/restorepoints/vba-weu.pem
 *       apiVersion: auto
 *       tlsInsecure: false
 *       staleAfter: Snapshot=26h,AzureBlob=26h
 *       digestChannels: [C0123ABCD]
 *       readTimeout: 5m                          # overrides READ_TIMEOUT for this appliance
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ApplianceConfig } from './types.ts';
import { applianceUrlProblems, channelProblems, parseApiVersion, parseReadTimeout, readCaFile, type Environment } from './values.ts';
import { parseStalePolicy, type StalePolicy } from '../restore-points/stale-policy.ts';

const entrySchema = z.object({
  name: z.string().trim().min(1, 'is required (a display name, unique)'),
  url: z.string().trim().min(1, 'is required (https://host[:port])'),
  username: z.string().trim().min(1, 'is required'),
  password: z.string().min(1).optional(),
  passwordFile: z.string().trim().min(1).optional(),
  passwordEnv: z.string().trim().min(1).optional(),
  caFile: z.string().trim().min(1).optional(),
  apiVersion: z.string().trim().optional(),
  tlsInsecure: z.boolean().optional(),
  staleAfter: z.string().optional(),
  digestChannels: z.array(z.string().trim()).optional(),
  readTimeout: z.string().trim().optional(),
});
type Entry = z.infer<typeof entrySchema>;

const fileSchema = z.strictObject({ appliances: z.array(z.unknown()) });

function where(file: string, index: number, name?: unknown): string {
  return `${file}: appliances[${index}]${typeof name === 'string' && name.trim() ? ` (${name.trim()})` : ''}`;
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.join('.');
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return field ? `${field} ${message}` : message;
  });
}

function passwordOf(entry: Entry, env: Environment, at: string, problems: string[], warnings: string[]): string | null {
  const sources = [entry.password, entry.passwordFile, entry.passwordEnv].filter((value) => value !== undefined).length;
  if (sources === 0) {
    problems.push(`${at}: give passwordFile (a file holding the password) or passwordEnv (the name of a variable holding it).`);
    return null;
  }
  if (sources > 1) {
    problems.push(`${at}: give only one of password, passwordFile and passwordEnv.`);
    return null;
  }
  if (entry.password !== undefined) {
    warnings.push(`${at}: the password is written in the file; prefer passwordFile or passwordEnv so the file can be shared.`);
    return entry.password;
  }
  if (entry.passwordEnv !== undefined) {
    const value = env[entry.passwordEnv]?.trim();
    if (!value) problems.push(`${at}: passwordEnv names ${entry.passwordEnv}, which is not set.`);
    return value || null;
  }
  try {
    const value = readFileSync(entry.passwordFile!, 'utf8').trim();
    if (!value) problems.push(`${at}: passwordFile ${entry.passwordFile} is empty.`);
    return value || null;
  } catch (error) {
    problems.push(`${at}: passwordFile ${entry.passwordFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return null;
  }
}

/**
 * The appliances the file lists; problems and warnings are added to the lists given. `base` is
 * the staleness policy from STALE_AFTER (or the defaults), which each entry may override.
 */
export function appliancesFromFile(file: string, env: Environment, base: StalePolicy, problems: string[], warnings: string[]): ApplianceConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`RESTOREPOINTS_CONFIG names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    return [];
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    problems.push(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
  const top = fileSchema.safeParse(document);
  if (!top.success) {
    problems.push(`${file}: expected a list under "appliances:" (${issuesOf(top.error).join('; ')}).`);
    return [];
  }
  const appliances: ApplianceConfig[] = [];
  const names = new Map<string, number>();
  top.data.appliances.forEach((raw, index) => {
    const at = where(file, index, (raw as { name?: unknown } | null)?.name);
    const before = problems.length;
    // A misspelt field would silently fall back to a default: name it, and go on checking the rest.
    const unknown = raw && typeof raw === 'object' ? Object.keys(raw).filter((key) => !(key in entrySchema.shape)) : [];
    if (unknown.length) problems.push(`${at}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (check the spelling).`);
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of issuesOf(parsed.error)) problems.push(`${at}: ${issue}.`);
      return;
    }
    const entry = parsed.data;
    const seen = names.get(entry.name.toLowerCase());
    if (seen !== undefined) problems.push(`${at}: name "${entry.name}" is already used by appliances[${seen}]; names must be unique.`);
    names.set(entry.name.toLowerCase(), index);
    const url = applianceUrlProblems(entry.url, `${at}: url`, warnings);
    problems.push(...url.problems);
    const password = passwordOf(entry, env, at, problems, warnings);
    const apiVersion = parseApiVersion(entry.apiVersion, `${at}: apiVersion`, problems);
    const caPem = entry.caFile ? readCaFile(entry.caFile, `${at}: caFile`, problems) : null;
    if (entry.tlsInsecure) warnings.push(`${at}: tlsInsecure is true: the appliance certificate is not checked. Prefer caFile.`);
    const stale = parseStalePolicy(entry.staleAfter ?? '', base);
    problems.push(...stale.problems.map((problem) => `${at}: staleAfter: ${problem}.`));
    const digestChannels = entry.digestChannels ?? [];
    problems.push(...channelProblems(digestChannels, `${at}: digestChannels`));
    const readTimeoutMs = parseReadTimeout(entry.readTimeout, `${at}: readTimeout`, problems);
    if (problems.length > before || !url.url || !password) return;
    appliances.push({
      name: entry.name,
      url: url.url,
      username: entry.username,
      password,
      apiVersion,
      caPem,
      tlsInsecure: entry.tlsInsecure ?? false,
      staleAfter: stale.policy,
      digestChannels,
      ...(readTimeoutMs === null ? {} : { readTimeoutMs }),
    });
  });
  if (top.data.appliances.length === 0) problems.push(`${file} lists no appliances: add at least one under "appliances:".`);
  return appliances;
}
