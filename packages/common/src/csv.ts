/**
 * Reads a small CSV file with a header row into records. Handles quoted fields with commas,
 * doubled quotes and line breaks, which is all the seed files need.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows = splitRows(text.replace(/^\uFEFF/, ''));
  const header = rows.shift();
  if (!header) return [];
  return rows
    .filter((row) => row.some((cell) => cell !== ''))
    .map((row, index) => {
      if (row.length !== header.length) {
        throw new Error(`CSV row ${index + 2} has ${row.length} fields; the header has ${header.length}`);
      }
      return Object.fromEntries(header.map((name, column) => [name, row[column] ?? '']));
    });
}

function splitRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV record's field that must be present and non-empty; a seed file missing one is broken. */
export function requiredField(row: Record<string, string>, name: string): string {
  const value = row[name];
  if (!value) throw new Error(`seed row is missing ${name}: ${JSON.stringify(row)}`);
  return value;
}
