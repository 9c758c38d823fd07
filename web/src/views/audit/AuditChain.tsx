/** Placeholder: built by its own change. */
export function AuditChain() {
  return <h1>AuditChain</h1>;
}
