// Name/value pairs such as HTTP headers, with the names in a fixed column.

export function KvTable({
  entries,
  empty,
  label,
}: {
  entries: ReadonlyArray<readonly [string, string]>;
  empty: string;
  label: string;
}) {
  if (entries.length === 0) return <p className="muted kv-empty">{empty}</p>;
  return (
    <table className="kv-table" aria-label={label}>
      <tbody>
        {entries.map(([name, value], i) => (
          <tr key={`${name}-${i}`}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Headers as "Name: value" lines, ready for a ticket or a curl command. */
export function headerLines(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries.map(([k, v]) => `${k}: ${v}`).join('\n');
}
