import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { clientCrlErrors, readClientCrls } from './client-crl.js';

/** Two CRLs made by `openssl ca -gencrl` (OpenSSL 3.0): CA "ca" revoking one serial, and an empty one of CA "ca2". */
const CRL_CA = `-----BEGIN X509 CRL-----
MIHNMHUCAQEwCgYIKoZIzj0EAwIwDTELMAkGA1UEAwwCY2EXDTI2MTIwNjAyMzUy
MloXDTI2MTIwNzAyMzUyMlowJzAlAhQW7O3NIzGuxDFe2kc4UOLdf+yO+RcNMjYx
MjA2MDIzNTIyWqAOMAwwCgYDVR0UBAMCAQEwCgYIKoZIzj0EAwIDSAAwRQIhAK0A
VGUuV3/tkBbHgHZ2g5gvr0bU6fFIH66s/TZb/T0oAiA+sCvCNl27VBeKdx9yzzXe
Jt8VFlYVz9CIiV7jWysycw==
-----END X509 CRL-----
`;
const CRL_CA2 = `-----BEGIN X509 CRL-----
MIGkME0CAQEwCgYIKoZIzj0EAwIwDjEMMAoGA1UEAwwDY2EyFw0yNjEyMDYwMjQw
MjNaFw0yNjEyMDcwMjQwMjNaoA4wDDAKBgNVHRQEAwIBATAKBggqhkjOPQQDAgNH
ADBEAiAA2TwyNMh4KBHp802j+fNdVefq3rQlRqaC+vtsQ9NiAQIgT9OVKFUotNNZ
wStMln2YBFY4Wgo9kw3PV0VyyxL17mI=
-----END X509 CRL-----
`;

describe('tls.clientCrl file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-crl-unit-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a file of several CRLs is split into one buffer per CRL (node reads only the first CRL of a buffer)', () => {
    const crls = readClientCrls(write('two.crl', `# issued by ca2, then ca\n${CRL_CA2}\n${CRL_CA}`));
    assert.deepEqual(crls.map((c) => c.toString().trim()), [CRL_CA2.trim(), CRL_CA.trim()]);
  });

  test('a missing file, a file without a CRL and an unparseable CRL are clear errors', () => {
    assert.deepEqual(clientCrlErrors(join(dir, 'absent.crl')), [`tls.clientCrl: cannot read ${join(dir, 'absent.crl')} (ENOENT)`]);
    const cert = write('cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    assert.deepEqual(clientCrlErrors(cert), [`tls.clientCrl: ${cert} holds no PEM CRL (-----BEGIN X509 CRL-----)`]);
    const broken = write('broken.crl', `${CRL_CA}-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n`);
    assert.deepEqual(clientCrlErrors(broken), [`tls.clientCrl: ${broken}: CRL 2 of 2 cannot be parsed`]);
    assert.deepEqual(clientCrlErrors(write('one.crl', CRL_CA)), []);
  });
});
