/**
 * Columns aligned as Rust's `tabwriter` aligns them (the upstream `iotedge list` uses it with a
 * minimum width of 15 and the default padding of 2): every cell but a line's last is padded to
 * its column's width plus the padding; a column's width is the widest cell among the contiguous
 * lines that have that column, and at least the minimum width. The last cell is never padded.
 */

export interface TableOptions {
  minWidth: number;
  padding: number;
}

export const LIST_TABLE: TableOptions = { minWidth: 15, padding: 2 };

/** Display width: code points, which is what a terminal shows for the text we print. */
function width(text: string): number {
  return [...text].length;
}

function columnWidths(rows: string[][], minWidth: number): number[][] {
  const widths: number[][] = rows.map(() => []);
  rows.forEach((row, i) => {
    for (let col = widths[i].length; col < row.length - 1; col++) {
      let w = minWidth;
      let contiguous = 0;
      for (const line of rows.slice(i)) {
        if (col + 1 >= line.length) break;
        contiguous++;
        w = Math.max(w, width(line[col]));
      }
      for (let j = i; j < i + contiguous; j++) widths[j].push(w);
    }
  });
  return widths;
}

/** The rows as text, one line each, each ending with a newline. */
export function tabulate(rows: string[][], options: TableOptions = LIST_TABLE): string {
  const widths = columnWidths(rows, options.minWidth);
  return rows
    .map((row, i) =>
      row
        .map((cell, col) =>
          col < widths[i].length ? cell + ' '.repeat(widths[i][col] - width(cell) + options.padding) : cell,
        )
        .join(''),
    )
    .map((line) => `${line}\n`)
    .join('');
}
