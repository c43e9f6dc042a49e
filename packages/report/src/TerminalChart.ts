/**
 * Horizontal bar charts of a report and of a comparison, as lines of text for a terminal.
 *
 * Bars are drawn with block characters to an eighth of a column (`█▉▊▋▌▍▎▏`); sizes are humanised;
 * labels are cut with `…` to fit. Keys are untrusted: their control characters print as `\xNN`,
 * so a key cannot drive the terminal. ANSI colours only when `color` is true: the caller decides
 * (a TTY, no `NO_COLOR`). A bar chart's rows are exactly `width` columns; no line is longer.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as internal from "./internal/terminalChart.js"
import type * as ReportComparison from "./ReportComparison.js"

/**
 * `width`: the columns to fill (at least {@link minimumWidth}); `color`: ANSI colours;
 * `limit`: at most this many rows per chart (20 keys or prefixes, 12 changes by default).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChartOptions {
  readonly width: number
  readonly color: boolean
  readonly limit?: number | undefined
}

/**
 * The narrowest width the charts are drawn to; a smaller `width` is read as this.
 *
 * @since 0.1.0
 * @category constants
 */
export const minimumWidth: number = internal.minimumWidth

/**
 * A bar of `fraction` (0 to 1) of `width` columns, to an eighth of a column; a fraction above
 * zero draws at least `▏`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const bar: (fraction: number, width: number) => string = internal.bar

/**
 * The biggest keys by size, with their type.
 *
 * @since 0.1.0
 * @category rendering
 */
export const biggestKeys: (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options: ChartOptions
) => ReadonlyArray<string> = internal.biggestKeys

/**
 * The listed key prefixes by size, with their key counts (nested prefixes overlap).
 *
 * @since 0.1.0
 * @category rendering
 */
export const prefixes: (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options: ChartOptions
) => ReadonlyArray<string> = internal.prefixes

/**
 * Memory by data type, with key counts.
 *
 * @since 0.1.0
 * @category rendering
 */
export const types: (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options: ChartOptions
) => ReadonlyArray<string> = internal.types

/**
 * The three charts of a report, a blank line between them.
 *
 * @since 0.1.0
 * @category rendering
 */
export const report: (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options: ChartOptions
) => ReadonlyArray<string> = internal.report

/**
 * A comparison: the totals, the keys and prefixes that changed most as diverging bars (growth
 * `▲` to the right, shrinkage `▼` to the left, the part only a bound allows hatched `░`) with
 * signed text, and a table by type (size, change, keys, size per key).
 *
 * @since 0.1.0
 * @category rendering
 */
export const comparison: (
  comparison: ReportComparison.ReportComparison,
  options: ChartOptions
) => ReadonlyArray<string> = internal.comparison
