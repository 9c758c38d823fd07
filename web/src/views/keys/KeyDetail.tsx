/** Placeholder: built by its own change. */
export function KeyDetail({ keyId }: { keyId: string }) {
  return <h1>{keyId}</h1>;
}
