/**
 * A small bar chart of counts (one bar per day) as SVG drawn by React (no inline <style>: the CSP refuses
 * it). The numbers are in the accessible name, since a chart alone says nothing to a screen reader.
 */
export function Sparkline({ values, label, width = 112, height = 24 }: { values: readonly number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...values);
  const bar = width / Math.max(1, values.length);
  return (
    <svg className="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{label}</title>
      <line x1={0} y1={height - 0.5} x2={width} y2={height - 0.5} className="sparkline-base" />
      {values.map((v, n) => {
        const h = v === 0 ? 0 : Math.max(2, (v / max) * (height - 2));
        return <rect key={n} x={n * bar + 1} y={height - h} width={Math.max(1, bar - 2)} height={h} className="sparkline-bar" />;
      })}
    </svg>
  );
}
