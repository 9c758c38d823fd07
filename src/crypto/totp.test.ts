import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBytes } from './secret-bytes.js';
import { matchTotp, newTotpSeed, totpCode, totpSeedBase32, totpTimeStep, totpUri } from './totp.js';

/** RFC 6238 appendix B's SHA-1 seed ("12345678901234567890"). */
const rfcSeed = () => SecretBytes.copyOf(Buffer.from('12345678901234567890', 'ascii'));

describe('TOTP (RFC 6238)', () => {
  it('computes RFC 6238 appendix B SHA-1 codes (the last six digits)', () => {
    const seed = rfcSeed();
    assert.equal(totpCode(seed, new Date(59_000)), '287082');
    assert.equal(totpCode(seed, new Date(1_111_111_109_000)), '081804');
    assert.equal(totpCode(seed, new Date(2_000_000_000_000)), '279037');
  });

  it('matches a code within one step either side and answers its time step', () => {
    const seed = rfcSeed();
    const now = new Date(1_111_111_109_000);
    const step = totpTimeStep(now);
    assert.equal(matchTotp(seed, totpCode(seed, now), now), step);
    assert.equal(matchTotp(seed, totpCode(seed, new Date(now.getTime() - 30_000)), now), step - 1);
    assert.equal(matchTotp(seed, totpCode(seed, new Date(now.getTime() + 30_000)), now), step + 1);
    assert.equal(matchTotp(seed, totpCode(seed, new Date(now.getTime() - 61_000)), now), undefined, 'two steps old');
    assert.equal(matchTotp(seed, totpCode(seed, new Date(now.getTime() + 61_000)), now), undefined, 'two steps ahead');
  });

  it('refuses a wrong code and anything but six digits', () => {
    const seed = rfcSeed();
    const now = new Date(1_111_111_109_000);
    const code = totpCode(seed, now);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    assert.equal(matchTotp(seed, wrong, now), undefined);
    for (const bad of ['', '12345', '1234567', 'abcdef', ` ${code.slice(1)}`]) assert.equal(matchTotp(seed, bad, now), undefined, bad);
  });

  it('makes 20-byte seeds, shown as base32 and in an otpauth URI with the parameters', () => {
    const seed = newTotpSeed();
    assert.equal(seed.expose().length, 20);
    const b32 = totpSeedBase32(seed);
    assert.match(b32, /^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(seed, 'Arca', 'alice@111122223333'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), b32);
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(uri.searchParams.get('issuer'), 'Arca');
    assert.notEqual(totpSeedBase32(newTotpSeed()), b32);
  });
});
