/**
 * What an operator does about each kind of appliance failure: one table for `check`, the logs and
 * whoever else explains a VeeamError to an admin. The error's own message says what happened (the
 * fact a channel may read); the fix here names variables and commands, which belong to the admin.
 */
import { errorCode, UNTRUSTED_CERTIFICATE_CODES, VeeamError, type VeeamErrorKind } from './errors.ts';

/** The part of an appliance's configuration a fix refers to. */
export interface ApplianceFixContext {
  readonly url: string;
  /** The extra certificates trusted for this appliance (VEEAM_CA_FILE, caFile); null when none. */
  readonly caPem: string | null;
}

function hostPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}

const saveCertificate = (url: string) => `\`openssl s_client -connect ${hostPort(url)} -showcerts </dev/null | openssl x509 > vba.pem\``;

function tlsFix(error: VeeamError, appliance: ApplianceFixContext): string | null {
  const code = errorCode(error.cause ?? error);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the certificate is not issued for ${new URL(appliance.url).hostname}: use in VEEAM_URL the host name the certificate names, or reissue the certificate with this name`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return "the appliance's certificate is outside its validity dates: renew it on the appliance (or check this host's clock)";
  }
  if (code !== null && UNTRUSTED_CERTIFICATE_CODES.has(code) && appliance.caPem === null) {
    return `the appliance presents a self-signed certificate (as installed) or one from a private CA. Save it with ${saveCertificate(appliance.url)}, compare its fingerprint with the one the appliance's web UI shows, and set VEEAM_CA_FILE=/path/to/vba.pem (caFile in RESTOREPOINTS_CONFIG). VEEAM_TLS_INSECURE=true also works but lets anyone in the path read the password`;
  }
  if (appliance.caPem !== null) {
    return `VEEAM_CA_FILE (caFile) does not hold the certificate or CA the appliance presents now (renewed?): save it again with ${saveCertificate(appliance.url)}`;
  }
  return error.hint;
}

const FIXES: Partial<Record<VeeamErrorKind, (error: VeeamError, appliance: ApplianceFixContext) => string | null>> = {
  credentials: (_, { url }) =>
    `sign in to the appliance web UI (${url}) with the same username and password to confirm them, then correct VEEAM_USERNAME and VEEAM_PASSWORD or VEEAM_PASSWORD_FILE (for an appliance in RESTOREPOINTS_CONFIG: its username and passwordFile); passwords changed in the web UI must be changed here too`,
  mfa: () =>
    'a bot cannot answer multi-factor prompts: create a service account without MFA for the bot (appliance web UI → Configuration → Users; the Read-Only User role is enough) and use it',
  tls: tlsFix,
  unreachable: (_, { url }) =>
    `check VEEAM_URL (the API is served on the web UI's port, 443 unless changed), that ${new URL(url).hostname} resolves from here, and that firewalls and network security groups let this host reach ${hostPort(url)}`,
  timeout: (_, { url }) =>
    `the appliance did not answer in time: check that it is running and not overloaded, and that nothing between here and ${hostPort(url)} drops traffic`,
  forbidden: () =>
    'the account may log in but not read: give it a role that can read restore points and job sessions (Read-Only User; on appliances without that role, Restore Operator)',
  license: (error) => error.hint ?? 'see the message above',
  'not-found': (error) => error.hint ?? 'see the message above',
  server: () => 'the appliance failed: look at its logs around the time above (the trace id, when given, finds the request)',
};

/** What to do about an appliance that could not be logged in to or read, by the kind of failure. */
export function applianceFix(error: unknown, appliance: ApplianceFixContext): string | null {
  if (!(error instanceof VeeamError)) return null;
  const fix = FIXES[error.kind];
  return fix ? fix(error, appliance) : error.hint;
}
