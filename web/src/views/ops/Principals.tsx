/** Placeholder: built by its own change. */
export function Principals() {
  return <h1>Principals</h1>;
}
