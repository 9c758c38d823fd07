import type { XksExposure } from '../core/xks.js';
import type { XksProxyConfig } from './xks-proxy-config.js';

/** The exposure the XKS operations check (docs/xks-proxy.md), from `xksProxy:`; `undefined` when it is off. */
export function xksExposure(config: XksProxyConfig | undefined): XksExposure | undefined {
  if (config === undefined) return undefined;
  const keys = new Map(config.keys.map((k) => [k.xksKeyId, k]));
  const ids = new Set(config.credentials.map((c) => c.accessKeyId));
  return { key: (id) => keys.get(id), isXksCredential: (id) => id !== undefined && ids.has(id) };
}
