/**
 * Plain-text tables: a header row, columns two spaces apart, numbers aligned right. No colour
 * and no box drawing, so that `grep`, `awk` and `sort` work on them too.
 *
 * @since 0.1.0
 */

/** @internal */
export interface Column {
  readonly header: string
  readonly align?: "left" | "right" | undefined
  /** The least width; a table printed page by page uses it to keep its columns in line. */
  readonly width?: number | undefined
}

const pad = (cell: string, width: number, align: Column["align"]): string =>
  align === "right" ? cell.padStart(width) : cell.padEnd(width)

/** One row at the given widths. */
export const row = (
  columns: ReadonlyArray<Column>,
  widths: ReadonlyArray<number>,
  cells: ReadonlyArray<string>
): string => columns.map((column, i) => pad(cells[i] ?? "", widths[i] ?? 0, column.align)).join("  ").trimEnd()

/** The widths that fit the header and every row. */
export const widths = (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<ReadonlyArray<string>>
): ReadonlyArray<number> =>
  columns.map((column, i) =>
    rows.reduce(
      (width, cells) => Math.max(width, (cells[i] ?? "").length),
      Math.max(column.header.length, column.width ?? 0)
    )
  )

/** The whole table, header first. */
export const render = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const fitted = widths(columns, rows)
  const header = columns.map((column) => column.header)
  return [row(columns, fitted, header), ...rows.map((cells) => row(columns, fitted, cells))].join("\n")
}

/** Label and value pairs, one per line, values in line: `Instance   5f9057b5-…`. */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const width = pairs.reduce((max, [label]) => Math.max(max, label.length), 0)
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd()).join("\n")
}
