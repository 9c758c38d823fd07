/** Placeholder: built by its own change. */
export function Status() {
  return <h1>Status</h1>;
}
