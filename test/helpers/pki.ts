import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A throwaway PKI made with the `openssl` CLI (Debian 12's OpenSSL 3.0): CAs, certificates with SANs,
 * revocations and CRLs (`openssl ca`, with an index file per CA). Files are `<name>.crt`/`.key` in `dir`.
 */
export const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA named `name` (name.crt, name.key). */
export function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-days', '1', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
}

/** A certificate `name` issued by `ca` with `subject` and the subjectAltName `san`. */
export function issue(dir: string, ca: string, name: string, subject: string, san: string): void {
  openssl(dir, ['req', ...EC, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
}

/** The `openssl ca` configuration of `ca` (its index file and CRL number), made on first use. */
function caConfig(dir: string, ca: string): string {
  const cnf = `${ca}-ca.cnf`;
  if (!existsSync(join(dir, cnf))) {
    writeFileSync(join(dir, `${ca}-index.txt`), '');
    writeFileSync(join(dir, `${ca}-crlnumber`), '01\n');
    writeFileSync(join(dir, cnf), `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}-index.txt\ncrlnumber = ${ca}-crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n`);
  }
  return cnf;
}

/** Records `name` (issued by `ca`) as revoked in `ca`'s index; the next {@link crlOf} lists it. */
export function revoke(dir: string, ca: string, name: string): void {
  openssl(dir, ['ca', '-config', caConfig(dir, ca), '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`, '-revoke', `${name}.crt`]);
}

/** A fresh PEM CRL signed by `ca`, listing what {@link revoke} recorded (nothing yet: an empty CRL). */
export function crlOf(dir: string, ca: string): string {
  const out = `${ca}.crl`;
  openssl(dir, ['ca', '-config', caConfig(dir, ca), '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`, '-gencrl', '-out', out]);
  return readFileSync(join(dir, out), 'utf8');
}
