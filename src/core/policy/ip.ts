/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress/NotIpAddress condition operators, parsed by
 * hand (core imports no node: modules). An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) matches IPv4
 * blocks, since that is how a dual-stack listener reports IPv4 callers.
 */
export interface IpValue {
  readonly family: 4 | 6;
  readonly bits: bigint;
}

export interface Cidr extends IpValue {
  readonly prefix: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const words: number[] = [];
  const push = (list: string[], allowV4Last: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i] ?? '';
      if (allowV4Last && i === list.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (v4 === undefined) return false;
        words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) words.push(parseInt(g, 16));
      else return false;
    }
    return true;
  };
  if (!push(head, halves.length === 1)) return undefined;
  const headLen = words.length;
  if (!push(tail, true)) return undefined;
  const missing = 8 - words.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const full = [...words.slice(0, headLen), ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...words.slice(headLen)];
  return full.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** Parses an address; undefined if it is not a valid IPv4 or IPv6 address. */
export function parseIp(text: string): IpValue | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { family: 4, bits: v4 };
  const v6 = text.includes(':') ? parseV6(text) : undefined;
  if (v6 === undefined) return undefined;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address.
  if (v6 >> 32n === 0xffffn) return { family: 4, bits: v6 & 0xffffffffn };
  return { family: 6, bits: v6 };
}

/** Parses `addr/prefix` or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = addr.includes(':') ? (parseV6(addr) !== undefined ? { family: 6 as const, bits: parseV6(addr) ?? 0n } : undefined) : parseIp(addr);
  if (ip === undefined) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { ...ip, prefix };
}

export function cidrContains(block: Cidr, ip: IpValue): boolean {
  if (block.family !== ip.family) return false;
  const width = BigInt(block.family === 4 ? 32 : 128);
  const shift = width - BigInt(block.prefix);
  return block.bits >> shift === ip.bits >> shift;
}
