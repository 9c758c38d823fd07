import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkOf } from './networks.js';

describe('source networks', () => {
  it('IPv4 /24, and an IPv4-mapped IPv6 address is the same network', () => {
    assert.equal(networkOf('192.0.2.77', 24, 48), '192.0.2.0/24');
    assert.equal(networkOf('::ffff:192.0.2.1', 24, 48), '192.0.2.0/24');
    assert.notEqual(networkOf('127.0.0.1', 24, 48), networkOf('127.0.1.1', 24, 48));
    assert.equal(networkOf('10.1.2.3', 8, 48), '10.0.0.0/8');
  });

  it('IPv6 /48, compressed or not, zone index dropped', () => {
    assert.equal(networkOf('2001:db8:1234:5678::1', 24, 48), '2001:db8:1234:0:0:0:0:0/48');
    assert.equal(networkOf('2001:0db8:1234:ffff:0:0:0:1', 24, 48), '2001:db8:1234:0:0:0:0:0/48');
    assert.equal(networkOf('fe80::1%eth0', 24, 64), 'fe80:0:0:0:0:0:0:0/64');
    assert.equal(networkOf('::1', 24, 48), '0:0:0:0:0:0:0:0/48');
  });

  it('anything else is no network', () => {
    for (const bad of ['', '-', 'unknown', '1.2.3', '256.1.1.1', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9']) assert.equal(networkOf(bad, 24, 48), undefined, bad);
  });
});
