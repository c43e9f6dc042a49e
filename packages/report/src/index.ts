/**
 * @since 0.1.0
 */

/**
 * Numbers for people, as the HTML report and the terminal charts print them: sizes in binary
 * units (KiB, MiB, GiB), counts grouped or in millions, signed deltas with a real minus sign.
 *
 * @since 0.1.0
 */
export * as Humanize from "./Humanize.js"

/**
 * What changed between two offline key analysis reports, without inventing numbers.
 *
 * @since 0.1.0
 */
export * as ReportComparison from "./ReportComparison.js"

/**
 * Horizontal bar charts of a report and of a comparison, as lines of text for a terminal.
 *
 * @since 0.1.0
 */
export * as TerminalChart from "./TerminalChart.js"

/**
 * A report or a comparison as one self-contained HTML page.
 *
 * @since 0.1.0
 */
export * as HtmlReport from "./HtmlReport.js"
