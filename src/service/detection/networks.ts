/**
 * The network a source address belongs to, as the new-source-network rule compares them: the first
 * `ipv4Prefix` bits of an IPv4 address (an IPv4-mapped IPv6 address counts as IPv4), the first
 * `ipv6Prefix` bits of an IPv6 one, written `address/length`. Pure parsing: the service layer has no
 * `node:net`.
 */
export function networkOf(ip: string, ipv4Prefix: number, ipv6Prefix: number): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = parseIpv4(mapped?.[1] ?? ip);
  if (v4 !== undefined) {
    const mask = ipv4Prefix === 0 ? 0 : (0xffffffff << (32 - ipv4Prefix)) >>> 0;
    const n = (v4 & mask) >>> 0;
    return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}/${ipv4Prefix}`;
  }
  const v6 = parseIpv6(ip);
  if (v6 === undefined) return undefined;
  const groups = v6.map((g, i) => {
    const bits = Math.max(0, Math.min(16, ipv6Prefix - i * 16));
    return bits === 0 ? 0 : g & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${groups.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** The eight 16-bit groups of an IPv6 address (zone index dropped), or undefined. */
function parseIpv6(s: string): number[] | undefined {
  const text = s.replace(/%.*$/, '');
  if (!text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const side = (h: string | undefined): string[] => (h === undefined || h === '' ? [] : h.split(':'));
  const head = side(halves[0]);
  const tail = side(halves[1]);
  // An embedded IPv4 tail (::1.2.3.4) is two groups.
  const last = tail.length > 0 ? tail : head;
  const v4 = last.length > 0 ? parseIpv4(last[last.length - 1] ?? '') : undefined;
  if (v4 !== undefined) last.splice(last.length - 1, 1, ((v4 >>> 16) & 0xffff).toString(16), (v4 & 0xffff).toString(16));
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}
