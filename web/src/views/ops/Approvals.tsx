/** Placeholder: built by its own change. */
export function Approvals() {
  return <h1>Approvals</h1>;
}
