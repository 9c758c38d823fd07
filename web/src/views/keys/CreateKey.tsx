/** Placeholder: built by its own change. */
export function CreateKey() {
  return <h1>CreateKey</h1>;
}
