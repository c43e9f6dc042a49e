/**
 * Horizontal bar charts as lines of text.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Option from "effect/Option"
import type * as ReportComparison from "../ReportComparison.js"
import type * as TerminalChart from "../TerminalChart.js"
import * as Comparison from "./comparison.js"
import * as Humanize from "./humanize.js"
import { columns, fit, padEnd, padStart, printable, truncate } from "./text.js"

type Report = OfflineKeyAnalysis.OfflineKeyAnalysisReport

/** @internal */
export const minimumWidth = 32

const eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"] as const

/** @internal */
export const bar = (fraction: number, width: number): string => {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0))
  const total = Math.round(clamped * width * 8)
  // Something that is not nothing shows: at least one eighth.
  const units = clamped > 0 ? Math.max(1, total) : 0
  return "█".repeat(Math.floor(units / 8)) + eighths[units % 8]
}

// ---------------------------------------------------------------------------------------------
// Colour
// ---------------------------------------------------------------------------------------------

const sgr = (code: string) => (text: string): string => `\u001b[${code}m${text}\u001b[0m`

const typeColours: Record<string, string> = { string: "36", list: "35", set: "33", zset: "32", hash: "34" }

interface Paint {
  readonly type: (type: string, text: string) => string
  readonly dim: (text: string) => string
  readonly bold: (text: string) => string
  readonly up: (text: string) => string
  readonly down: (text: string) => string
}

const paint = (color: boolean): Paint =>
  color
    ? {
      type: (type, text) => (text === "" ? text : sgr(typeColours[type] ?? "37")(text)),
      dim: sgr("2"),
      bold: sgr("1"),
      up: sgr("31"),
      down: sgr("32")
    }
    : { type: (_, text) => text, dim: (text) => text, bold: (text) => text, up: (text) => text, down: (text) => text }

// ---------------------------------------------------------------------------------------------
// Bar charts
// ---------------------------------------------------------------------------------------------

interface Row {
  readonly label: string
  readonly type: string
  readonly value: number
  readonly text: string
}

const widthOf = (options: TerminalChart.ChartOptions) => Math.max(minimumWidth, Math.floor(options.width))

// label type bar size: every row exactly `width` columns, the bar takes what the text leaves.
const barChart = (title: string, rows: ReadonlyArray<Row>, options: TerminalChart.ChartOptions) => {
  const width = widthOf(options)
  const p = paint(options.color)
  const lines = [p.bold(truncate(title, width))]
  if (rows.length === 0) return [...lines, "  (none)"]
  const textWidth = Math.min(Math.max(...rows.map((row) => columns(row.text))), Math.floor(width * 0.4))
  const typeWidth = Math.min(Math.max(...rows.map((row) => columns(row.type))), 6)
  const labels = rows.map((row) => printable(row.label))
  const room = width - textWidth - typeWidth - 3
  const labelWidth = Math.min(Math.max(...labels.map(columns)), Math.max(4, Math.floor(room * 0.5)))
  const barWidth = Math.max(1, room - labelWidth)
  const max = Math.max(...rows.map((row) => row.value))
  for (const [i, row] of rows.entries()) {
    const drawn = bar(max > 0 ? row.value / max : 0, barWidth)
    lines.push(
      `${fit(labels[i]!, labelWidth)} ${p.dim(fit(row.type, typeWidth))} ${p.type(row.type, drawn)}${
        " ".repeat(barWidth - columns(drawn))
      } ${padStart(truncate(row.text, textWidth), textWidth)}`
    )
  }
  return lines
}

const limitOf = (options: TerminalChart.ChartOptions, fallback: number) => options.limit ?? fallback

/** @internal */
export const biggestKeys = (report: Report, options: TerminalChart.ChartOptions): ReadonlyArray<string> =>
  barChart(
    `Biggest keys (${report.largestKeys.length} listed)`,
    [...report.largestKeys].sort((a, b) => b.bytes - a.bytes).slice(0, limitOf(options, 20)).map((key) => ({
      label: key.key,
      type: key.type,
      value: key.bytes,
      text: Humanize.bytes(key.bytes)
    })),
    options
  )

/** @internal */
export const prefixes = (report: Report, options: TerminalChart.ChartOptions): ReadonlyArray<string> =>
  barChart(
    "Key prefixes by size (nested prefixes overlap)",
    [...report.largestKeyPrefixes].sort((a, b) => b.bytes - a.bytes).slice(0, limitOf(options, 20)).map((
      prefix
    ) => ({
      label: `${prefix.keyPrefix}*`,
      type: prefix.type,
      value: prefix.bytes,
      text: `${Humanize.bytes(prefix.bytes)} in ${Humanize.count(prefix.num)} keys`
    })),
    options
  )

/** @internal */
export const types = (report: Report, options: TerminalChart.ChartOptions): ReadonlyArray<string> =>
  barChart(
    "Memory by type",
    [...report.typeBytes].sort((a, b) => b.bytes - a.bytes).map((entry) => {
      const keys = report.typeNum.find((num) => num.type === entry.type)?.num
      return {
        label: entry.type,
        type: "",
        value: entry.bytes,
        text: `${Humanize.bytes(entry.bytes)}${keys === undefined ? "" : ` in ${Humanize.count(keys)} keys`}`
      }
    }),
    options
  )

// ---------------------------------------------------------------------------------------------
// Diverging bars of a comparison
// ---------------------------------------------------------------------------------------------

interface Change {
  readonly label: string
  readonly delta: ReportComparison.Amount
  readonly text: string
}

// Shrinkage grows leftwards from the axis: whole cells, and a right half block for the remainder.
const leftBar = (fraction: number, width: number): string => {
  const halves = Math.round(Math.min(1, fraction) * width * 2)
  const units = fraction > 0 ? Math.max(1, halves) : 0
  return (units % 2 === 1 ? "▐" : "") + "█".repeat(Math.floor(units / 2))
}

// The sure part solid, the part only a bound allows hatched.
const sides = (delta: ReportComparison.Amount): { sure: number; possible: number } => {
  const sure = Comparison.sureValue(delta)
  if (delta._tag === "Exact") return { sure, possible: sure }
  const far = sure >= 0 ? delta.atMost : delta.atLeast
  return { sure, possible: Option.getOrElse(far, () => sure) }
}

const diverging = (title: string, changes: ReadonlyArray<Change>, options: TerminalChart.ChartOptions) => {
  const width = widthOf(options)
  const p = paint(options.color)
  const lines = [p.bold(truncate(title, width))]
  if (changes.length === 0) return [...lines, "  (no change)"]
  const textWidth = Math.min(Math.max(...changes.map((change) => columns(change.text))), Math.floor(width * 0.4))
  const labels = changes.map((change) => printable(change.label))
  const room = width - 2 - textWidth - 2 - 1 // marker, text, separators, axis
  const labelWidth = Math.min(Math.max(...labels.map(columns)), Math.max(6, Math.floor(room * 0.5)))
  const half = Math.max(1, Math.floor((room - labelWidth) / 2))
  const scale = Math.max(
    1,
    ...changes.flatMap((change) => {
      const { possible, sure } = sides(change.delta)
      return [Math.abs(sure), Math.abs(possible)]
    })
  )
  for (const [i, change] of changes.entries()) {
    const { possible, sure } = sides(change.delta)
    // A bound that holds zero says neither: no arrow, the possible range hatched on both sides.
    const marker = sure > 0 ? p.up("▲") : sure < 0 ? p.down("▼") : "•"
    const solid = (value: number) => value / scale
    const hatch = (value: number, drawn: string) =>
      "░".repeat(Math.max(0, Math.round(solid(value) * half) - columns(drawn)))
    let left = ""
    let right = ""
    if (sure > 0) {
      const sureBar = bar(solid(sure), half)
      right = sureBar + hatch(possible, sureBar)
    } else if (sure < 0) {
      const sureBar = leftBar(solid(-sure), half)
      left = hatch(-possible, sureBar) + sureBar
    } else if (change.delta._tag === "Bound") {
      left = hatch(-Option.getOrElse(change.delta.atLeast, () => 0), "")
      right = hatch(Option.getOrElse(change.delta.atMost, () => 0), "")
    }
    lines.push(
      `${marker} ${fit(labels[i]!, labelWidth)} ${p.down(padStart(left.slice(-half), half))}│` +
        `${p.up(padEnd(right.slice(0, half), half))} ${truncate(change.text, textWidth)}`
    )
  }
  return lines
}

const changeText = (
  change: { readonly bytes: ReportComparison.AmountChange } & Parameters<typeof Comparison.changeLabel>[0]
): string => {
  const delta = Comparison.deltaLabel(change.bytes.delta, Humanize.bytes)
  return change.kind === "new" || change.kind === "gone" ? `${delta} (${Comparison.changeLabel(change)})` : delta
}

const mostChanged = <A extends { readonly bytes: ReportComparison.AmountChange; readonly kind: string }>(
  changes: ReadonlyArray<A>,
  limit: number
): ReadonlyArray<A> =>
  changes
    .filter((change) => change.kind !== "unchanged")
    .map((change) => ({ change, size: Math.max(...Object.values(sides(change.bytes.delta)).map(Math.abs)) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, limit)
    .map(({ change }) => change)
    .sort((a, b) => Comparison.sureValue(b.bytes.delta) - Comparison.sureValue(a.bytes.delta))

const typeTable = (comparison: ReportComparison.ReportComparison, options: TerminalChart.ChartOptions) => {
  const width = widthOf(options)
  const p = paint(options.color)
  const rows = comparison.types.map((change) => [
    change.type,
    `${Humanize.bytes(change.bytes.before)} → ${Humanize.bytes(change.bytes.after)}`,
    `${change.bytes.delta > 0 ? "▲" : change.bytes.delta < 0 ? "▼" : "•"} ${
      Humanize.signed(Humanize.bytes)(change.bytes.delta)
    }`,
    Humanize.signed(Humanize.count)(change.keys.delta),
    `${Option.match(change.bytesPerKey.before, { onNone: () => "-", onSome: Humanize.bytes })} → ${
      Option.match(change.bytesPerKey.after, { onNone: () => "-", onSome: Humanize.bytes })
    }`
  ])
  const header = ["TYPE", "SIZE", "CHANGE", "KEYS", "SIZE PER KEY"]
  const widths = header.map((title, i) => Math.max(columns(title), ...rows.map((row) => columns(row[i]!))))
  const line = (cells: ReadonlyArray<string>) =>
    truncate(
      cells.map((cell, i) => (i === 0 ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!))).join("  "),
      width
    )
  return [p.bold("By type"), p.dim(line(header)), ...rows.map(line)]
}

/** @internal */
export const comparison = (
  comparison: ReportComparison.ReportComparison,
  options: TerminalChart.ChartOptions
): ReadonlyArray<string> => {
  const width = widthOf(options)
  const limit = limitOf(options, 12)
  const lines: Array<string> = []
  if (Option.getOrElse(comparison.sameNode, () => true) === false) {
    const id = (value: Option.Option<string>) => printable(Option.getOrElse(value, () => "?"))
    lines.push(
      truncate(
        `Different nodes: ${id(comparison.subjects.before.nodeId)} → ${id(comparison.subjects.after.nodeId)}`,
        width
      ),
      ""
    )
  }
  Option.map(comparison.totals.bytes, (bytes) =>
    lines.push(
      truncate(
        `Total ${Humanize.bytes(bytes.before)} → ${Humanize.bytes(bytes.after)} (${
          Humanize.signed(Humanize.bytes)(bytes.delta)
        })` + Option.match(comparison.totals.keys, {
          onNone: () => "",
          onSome: (keys) =>
            `, keys ${Humanize.count(keys.before)} → ${Humanize.count(keys.after)} (${
              Humanize.signed(Humanize.count)(keys.delta)
            })`
        }),
        width
      ),
      ""
    ))
  lines.push(
    ...diverging(
      "Keys that changed most",
      mostChanged(comparison.keys, limit).map((change) => ({
        label: change.key,
        delta: change.bytes.delta,
        text: changeText(change)
      })),
      options
    ),
    "",
    ...diverging(
      "Prefixes that changed most",
      mostChanged(comparison.prefixes, limit).map((change) => ({
        label: `${change.keyPrefix}*`,
        delta: change.bytes.delta,
        text: changeText(change)
      })),
      options
    ),
    "",
    ...typeTable(comparison, options)
  )
  return lines
}

/** @internal */
export const report = (report: Report, options: TerminalChart.ChartOptions): ReadonlyArray<string> => [
  ...biggestKeys(report, options),
  "",
  ...prefixes(report, options),
  "",
  ...types(report, options)
]
