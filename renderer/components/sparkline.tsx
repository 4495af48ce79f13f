// A tiny line chart of recent values, drawn as one SVG path.

export function Sparkline({
  values,
  width = 120,
  height = 24,
  label,
}: {
  values: readonly number[];
  width?: number;
  height?: number;
  label: string;
}) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 3)).toFixed(1)}`,
  );
  const line = points.length ? `M${points.join(' L')}` : '';
  const area = points.length ? `${line} L${width},${height} L0,${height} Z` : '';
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <rect className="sparkline-bg" x="0" y="0" width={width} height={height} rx="3" />
      <path className="sparkline-area" d={area} />
      <path className="sparkline-line" d={line} />
    </svg>
  );
}
