/** Parses `host:port` (IPv6 hosts in brackets: `[::1]:8420`). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new Error(`--listen must be host:port (for example 127.0.0.1:8420), not '${value}'`);
  return { host: m[1] ?? m[2] ?? '', port };
}

export function endpointUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
