/**
 * Annotations of the Kubernetes KMS v2 API (api.proto, EncryptResponse.annotations): stored in plaintext
 * in etcd beside the encrypted DEK and handed back on Decrypt. kube-apiserver requires each key to be a
 * fully qualified domain name (RFC 1123: at least two dot-separated labels, lowercase letters, digits and
 * `-`, labels of at most 63 and names of at most 253 characters, one trailing dot allowed) and keys plus
 * values to total at most 32 KiB; Arca checks incoming annotations the same way.
 */
export const ANNOTATIONS_MAX_BYTES = 32 * 1024;

/** The annotation Arca adds on Encrypt: the envelope format of its ciphertexts, which Decrypt checks. */
export const FORMAT_ANNOTATION = 'format.kms.arca.dev';
/** The only value of {@link FORMAT_ANNOTATION} Arca writes and accepts. */
export const FORMAT_V1 = 'arca-blob-v1';

const LABEL = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a fully qualified domain name as kube-apiserver's `IsFullyQualifiedDomainName` reads it. */
export function isFullyQualifiedDomainName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.split('.');
  return labels.length >= 2 && labels.every((l) => l.length <= 63 && LABEL.test(l));
}

/** What is wrong with `annotations` (empty: nothing), each problem in one sentence without the values. */
export function annotationProblems(annotations: Readonly<Record<string, Uint8Array>>): string[] {
  const problems: string[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!isFullyQualifiedDomainName(key)) problems.push(`annotation key '${key.slice(0, 253)}' is not a fully qualified domain name`);
    total += Buffer.byteLength(key) + value.length;
  }
  if (total > ANNOTATIONS_MAX_BYTES) problems.push(`annotations total ${total} bytes, over the limit of ${ANNOTATIONS_MAX_BYTES}`);
  const format = annotations[FORMAT_ANNOTATION];
  if (format !== undefined && Buffer.from(format).toString('utf8') !== FORMAT_V1) problems.push(`annotation ${FORMAT_ANNOTATION} names an envelope format this Arca does not know`);
  return problems;
}

/** The annotations of Arca's Encrypt answers. */
export function encryptAnnotations(): Record<string, Buffer> {
  return { [FORMAT_ANNOTATION]: Buffer.from(FORMAT_V1) };
}
