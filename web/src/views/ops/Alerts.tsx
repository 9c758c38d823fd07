/** Placeholder: built by its own change. */
export function Alerts() {
  return <h1>Alerts</h1>;
}
