/** Placeholder: built by its own change. */
export function AuditSearch() {
  return <h1>AuditSearch</h1>;
}
