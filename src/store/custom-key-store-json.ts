import type { CustomKeyStoreRecord, CustomKeyStoreType, HsmStoreSettings, XksProxySettings } from '../core/custom-key-stores.js';

/**
 * The `settings` column of `custom_key_stores` (every engine): the kind's non-secret settings as JSON
 * (`{"xks":{…}}` or `{"hsm":{…}}`). The secret is never in it: it is the wrapped column beside it.
 */
export function settingsJson(r: Pick<CustomKeyStoreRecord, 'xks' | 'hsm'>): string {
  return JSON.stringify(r.xks !== undefined ? { xks: r.xks } : { hsm: r.hsm });
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string') throw new Error(`custom key store settings: ${what} is not a string`);
  return v;
};

/** The settings of a stored row, checked field by field (a damaged row fails loudly, never half-read). */
export function parseSettings(type: string, json: string): { readonly type: CustomKeyStoreType; readonly xks?: XksProxySettings; readonly hsm?: HsmStoreSettings } {
  const v: unknown = JSON.parse(json);
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  if (type === 'EXTERNAL_KEY_STORE') {
    const x = (o['xks'] ?? {}) as Record<string, unknown>;
    return { type, xks: { uriEndpoint: str(x['uriEndpoint'], 'uriEndpoint'), uriPath: str(x['uriPath'], 'uriPath'), connectivity: 'PUBLIC_ENDPOINT', accessKeyId: str(x['accessKeyId'], 'accessKeyId') } };
  }
  if (type === 'AWS_CLOUDHSM') {
    const h = (o['hsm'] ?? {}) as Record<string, unknown>;
    return { type, hsm: { clusterId: str(h['clusterId'], 'clusterId'), trustAnchorCertificate: str(h['trustAnchorCertificate'], 'trustAnchorCertificate') } };
  }
  throw new Error(`custom key store settings: unknown type ${type}`);
}
