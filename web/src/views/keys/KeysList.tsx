/** Placeholder: built by its own change. */
export function KeysList() {
  return <h1>KeysList</h1>;
}
