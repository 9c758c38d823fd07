/** The region a key reference names when it is an ARN (`arn:aws:kms:eu-west-1:…`), else undefined. */
export function regionOfKeyRef(ref: string): string | undefined {
  return ref.startsWith('arn:') ? ref.split(':')[3] || undefined : undefined;
}
