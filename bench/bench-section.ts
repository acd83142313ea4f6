/**
 * What `npm run bench` runs: a list of sections, each measuring one part of
 * the SDK and printing its own tables. A new bench is a new file exporting a
 * `BenchSection`, registered in `bench/index.ts`.
 */
export interface BenchSection {
  /** Short name, also what `npm run bench -- <name>` filters on. */
  name: string
  /** One line on what is measured and why it matters. */
  description: string
  run(): void | Promise<void>
}

export type Cell = string | number

/** Prints rows as an aligned text table (numbers right-aligned), under a title. */
export function printTable(title: string, rows: ReadonlyArray<Record<string, Cell>>, notes: readonly string[] = []): void {
  console.log(`\n${title}`)
  if (rows.length === 0) return
  const columns = Object.keys(rows[0])
  const text = rows.map((row) => columns.map((column) => format(row[column])))
  const widths = columns.map((column, i) => Math.max(column.length, ...text.map((cells) => cells[i].length)))
  const line = (cells: string[], numeric: boolean[]): string =>
    cells.map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()
  const isNumber = columns.map((column) => typeof rows[0][column] === 'number')
  console.log(line(columns, isNumber))
  console.log(widths.map((width) => '-'.repeat(width)).join('  '))
  for (const cells of text) console.log(line(cells, isNumber))
  for (const note of notes) console.log(`  ${note}`)
}

function format(cell: Cell | undefined): string {
  if (cell === undefined) return ''
  if (typeof cell === 'string') return cell
  if (Number.isInteger(cell)) return cell.toLocaleString('en-US')
  return cell >= 100 ? Math.round(cell).toLocaleString('en-US') : cell.toFixed(2)
}

/** Milliseconds spent in `action`. */
export function timeMs(action: () => void): number {
  const start = process.hrtime.bigint()
  action()
  return Number(process.hrtime.bigint() - start) / 1e6
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
