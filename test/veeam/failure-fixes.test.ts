/** Appliance failures: the fact in the error's message, the fix in one table. */
import { describe, expect, it } from 'vitest';
import { toVeeamError, VeeamError } from '../../src/veeam/errors.ts';
import { applianceFix } from '../../src/veeam/failure-fixes.ts';

const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}:8443`), { code: 'ECONNREFUSED' });

describe('network failures', () => {
  it('a host whose every address refused (happy eyeballs: an AggregateError) was refused', () => {
    const error = new TypeError('fetch failed', { cause: new AggregateError([refused('::1'), refused('127.0.0.1')], 'connect failed') });
    expect(toVeeamError(error, 'localhost:8443').message).toMatch(/^Cannot reach localhost:8443: the connection was refused\./);
  });

  it('a port fetch never uses says so instead of "the connection failed"', () => {
    const error = new TypeError('fetch failed', { cause: new Error('bad port') });
    expect(toVeeamError(error, 'vba:1').message).toMatch(/^Cannot reach vba:1: the connection was refused by fetch itself: the port is one it never uses/);
  });
});

describe('applianceFix', () => {
  const appliance = { url: 'https://vba.example.com:8443', caPem: null };

  it('gives each kind its fix, naming the variables and the host', () => {
    expect(applianceFix(new VeeamError('unreachable', 'x'), appliance)).toMatch(/check VEEAM_URL .*vba\.example\.com resolves .*vba\.example\.com:8443/);
    expect(applianceFix(new VeeamError('credentials', 'x'), appliance)).toMatch(/sign in to the appliance web UI \(https:\/\/vba\.example\.com:8443\)/);
    expect(applianceFix(new VeeamError('mfa', 'x'), appliance)).toMatch(/service account without MFA/);
    expect(applianceFix(new VeeamError('forbidden', 'x'), appliance)).toMatch(/Read-Only User/);
  });

  it('tells a self-signed certificate from a stale pinned one', () => {
    const selfSigned = new VeeamError('tls', 'x', { cause: Object.assign(new Error('self-signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) });
    expect(applianceFix(selfSigned, appliance)).toMatch(/openssl s_client -connect vba\.example\.com:8443 .*VEEAM_CA_FILE=/);
    expect(applianceFix(selfSigned, { ...appliance, caPem: '-----BEGIN CERTIFICATE-----' })).toMatch(/does not hold the certificate .*\(renewed\?\)/);
  });

  it('has nothing to say about errors that are not the appliance’s', () => {
    expect(applianceFix(new Error('boom'), appliance)).toBeNull();
  });
});
