/**
 * Reports people look at: terminal charts, what changed between two analyses (with a growth gate
 * for nightly jobs), and the self-contained HTML page.
 *
 * @since 0.2.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Humanize from "@effect-dcs/report/Humanize"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import * as TerminalChart from "@effect-dcs/report/TerminalChart"
import * as Data from "effect/Data"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Format from "./format.js"

type Report = OfflineKeyAnalysis.OfflineKeyAnalysisReport

// ---------------------------------------------------------------------------------------------
// The terminal
// ---------------------------------------------------------------------------------------------

/** The width and colours of the charts. */
export interface ChartStyle {
  readonly width: number
  readonly color: boolean
}

/**
 * The terminal's width (80 off a terminal, or `COLUMNS` when set); colours only on a terminal
 * without `NO_COLOR`.
 */
export const chartStyle = (
  stream: { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env
): ChartStyle => {
  const tty = stream.isTTY === true
  const fromEnv = Number(env.COLUMNS)
  const width = tty && stream.columns !== undefined && stream.columns > 0
    ? stream.columns
    : Number.isInteger(fromEnv) && fromEnv > 0
    ? fromEnv
    : 80
  return { width, color: tty && (env.NO_COLOR === undefined || env.NO_COLOR === "") }
}

/** The charts of a report (biggest keys, prefixes, types). */
export const reportCharts = (report: Report, style: ChartStyle): string =>
  TerminalChart.report(report, style).join("\n")

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

const byteUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40
}

/** `100MiB`, `1.5GB`, `512 KiB`, `2048` (bytes): a positive number of bytes. */
export const parseBytes = (text: string): Option.Option<number> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  if (match === null) return Option.none()
  const unit = match[2]!.toLowerCase()
  const factor = unit === "" ? 1 : byteUnits[unit]
  if (factor === undefined) return Option.none()
  const value = Math.round(Number(match[1]) * factor)
  return Number.isSafeInteger(value) && value > 0 ? Option.some(value) : Option.none()
}

/** `20%` or `20`: a positive percentage, as a ratio (0.2). */
export const parsePercent = (text: string): Option.Option<number> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text)
  if (match === null) return Option.none()
  const value = Number(match[1])
  return value > 0 && Number.isFinite(value) ? Option.some(value / 100) : Option.none()
}

/** When growth fails the command: past a ratio, past a number of bytes, or (both given) past both. */
export interface GrowthThreshold {
  readonly ratio: Option.Option<number>
  readonly bytes: Option.Option<number>
}

/** A prefix, a type or the total, with the growth the reports prove (never more). */
export interface SureGrowth {
  readonly kind: "prefix" | "type" | "total"
  readonly name: string
  readonly type: Option.Option<string>
  /** The least the bytes grew by. */
  readonly bytes: number
  /** The least they grew by relative to before (Infinity from nothing); `None` when unknown. */
  readonly ratio: Option.Option<number>
  /** The change in words, as the table shows it (`+1.2 MiB`, `at least +1.2 MiB`). */
  readonly label: string
}

const lower = (amount: ReportComparison.Amount): number =>
  amount._tag === "Exact" ? amount.value : Option.getOrElse(amount.atLeast, () => Number.NEGATIVE_INFINITY)

const upper = (amount: ReportComparison.Amount): number =>
  amount._tag === "Exact" ? amount.value : Option.getOrElse(amount.atMost, () => Number.POSITIVE_INFINITY)

/**
 * The least relative growth an interval allows: after at its least over before at its most.
 * From an exact zero, any sure growth is infinite.
 */
const sureRatio = (before: ReportComparison.Amount, after: ReportComparison.Amount): Option.Option<number> => {
  const most = upper(before)
  const least = lower(after)
  if (!Number.isFinite(most) || !Number.isFinite(least)) return Option.none()
  if (most === 0) return least > 0 ? Option.some(Number.POSITIVE_INFINITY) : Option.none()
  return Option.some(least / most - 1)
}

const bytesLabel = (delta: ReportComparison.Amount) => ReportComparison.deltaLabel(delta, Humanize.bytes)

/** What each prefix, type and the total surely grew by. */
export const sureGrowth = (comparison: ReportComparison.ReportComparison): ReadonlyArray<SureGrowth> => [
  ...comparison.prefixes.map((change): SureGrowth => ({
    kind: "prefix",
    name: change.keyPrefix,
    type: Option.some(change.type),
    bytes: lower(change.bytes.delta),
    ratio: sureRatio(change.bytes.before, change.bytes.after),
    label: bytesLabel(change.bytes.delta)
  })),
  ...comparison.types.map((change): SureGrowth => ({
    kind: "type",
    name: change.type,
    type: Option.none(),
    bytes: change.bytes.delta,
    ratio: sureRatio(ReportComparison.exact(change.bytes.before), ReportComparison.exact(change.bytes.after)),
    label: bytesLabel(ReportComparison.exact(change.bytes.delta))
  })),
  ...Option.match(comparison.totals.bytes, {
    onNone: () => [],
    onSome: (total): ReadonlyArray<SureGrowth> => [{
      kind: "total",
      name: "total",
      type: Option.none(),
      bytes: total.delta,
      ratio: sureRatio(ReportComparison.exact(total.before), ReportComparison.exact(total.after)),
      label: bytesLabel(ReportComparison.exact(total.delta))
    }]
  })
]

// A threshold not given holds for every entry.
const holds = <A>(option: Option.Option<A>, predicate: (a: A) => boolean): boolean =>
  Option.isNone(option) || predicate(option.value)

/**
 * The entries whose sure growth crossed the threshold: at least the ratio and/or at least the
 * bytes (both, when both are given). A growth only bounded counts by its lower end, so an entry
 * that might have grown less never fails the command.
 */
export const crossed = (
  comparison: ReportComparison.ReportComparison,
  threshold: GrowthThreshold
): ReadonlyArray<SureGrowth> =>
  Option.isNone(threshold.ratio) && Option.isNone(threshold.bytes) ?
    [] :
    sureGrowth(comparison).filter((growth) =>
      growth.bytes > 0 &&
      holds(threshold.bytes, (bytes) => growth.bytes >= bytes) &&
      holds(threshold.ratio, (ratio) => Option.exists(growth.ratio, (sure) => sure >= ratio))
    )

const ratioText = (ratio: Option.Option<number>): string =>
  Option.match(ratio, {
    onNone: () => "unknown %",
    onSome: (value) => value === Number.POSITIVE_INFINITY ? "new" : Humanize.percent(value)
  })

const growthName = (growth: SureGrowth): string =>
  growth.kind === "prefix"
    ? `prefix ${Format.json(growth.name)} (${Option.getOrElse(growth.type, () => "?")})`
    : growth.kind === "type"
    ? `type ${growth.name}`
    : "total"

const thresholdText = (threshold: GrowthThreshold): string =>
  [
    ...Option.toArray(Option.map(threshold.ratio, (ratio) => `${Humanize.percent(ratio).slice(1)}`)),
    ...Option.toArray(Option.map(threshold.bytes, Humanize.bytes))
  ].join(" and ")

/** The growth that crossed a threshold: the command fails with exit code 1 after printing its result. */
export class GrowthThresholdCrossed extends Data.TaggedError("GrowthThresholdCrossed")<{
  readonly threshold: GrowthThreshold
  readonly entries: ReadonlyArray<SureGrowth>
}> {
  override get message(): string {
    return [
      `growth past the threshold (${thresholdText(this.threshold)}) in ${this.entries.length} ${
        this.entries.length === 1 ? "entry" : "entries"
      }:`,
      ...this.entries.map((growth) => `  ${growthName(growth)}: ${growth.label} (${ratioText(growth.ratio)})`)
    ].join("\n")
  }
}

// ---------------------------------------------------------------------------------------------
// diff: the text and the JSON
// ---------------------------------------------------------------------------------------------

const subjectLine = (label: string, report: Report): string => {
  const size = Format.optional(report.totalBytes, Humanize.bytes)
  const keys = Format.optional(report.totalNum, Humanize.count)
  return `${label}  task ${Format.optional(report.id)}  node ${Format.optional(report.nodeId)}  finished ${
    Format.optionalTime(report.finishedAt)
  }  ${size} in ${keys} keys`
}

/** The comparison for people: which two analyses, a warning when they are of different data, the charts. */
export const comparisonText = (
  comparison: ReportComparison.ReportComparison,
  style: ChartStyle,
  limit: number
): string => {
  const notes = [
    ...(Option.getOrUndefined(comparison.sameInstance) === false
      ? ["note: the reports are of different instances: their changes are no growth"]
      : Option.getOrUndefined(comparison.sameNode) === false
      ? ["note: the reports are of different nodes (a failover?): their data may differ"]
      : []),
    ...(comparison.order === "reversed" ? ["note: \"before\" finished after \"after\": the changes run backwards"] : [])
  ]
  return [
    subjectLine("before", comparison.before),
    subjectLine("after ", comparison.after),
    ...notes,
    "",
    ...TerminalChart.comparison(comparison, { ...style, limit })
  ].join("\n")
}

type AmountJson =
  | { readonly exact: true; readonly value: number }
  | { readonly exact: false; readonly at_least: number | null; readonly at_most: number | null }

const amountJson = (amount: ReportComparison.Amount): AmountJson =>
  amount._tag === "Exact"
    ? { exact: true, value: amount.value }
    : {
      exact: false,
      at_least: Option.getOrNull(amount.atLeast),
      at_most: Option.getOrNull(amount.atMost)
    }

const amountChangeJson = (change: ReportComparison.AmountChange, format: (value: number) => string) => ({
  before: amountJson(change.before),
  after: amountJson(change.after),
  delta: amountJson(change.delta),
  relative: Option.getOrNull(change.relative),
  text: ReportComparison.deltaLabel(change.delta, format)
})

const numberChangeJson = (change: ReportComparison.NumberChange) => ({
  before: change.before,
  after: change.after,
  delta: change.delta,
  relative: Option.getOrNull(change.relative)
})

const subjectJson = (report: Report) => ({
  task_id: Option.getOrNull(report.id),
  instance_id: Option.getOrNull(report.instanceId),
  node_id: Option.getOrNull(report.nodeId),
  finished_at: Option.getOrNull(Option.map(report.finishedAt, DateTime.formatIso)),
  total_bytes: Option.getOrNull(report.totalBytes),
  total_num: Option.getOrNull(report.totalNum)
})

const growthJson = (growth: SureGrowth) => ({
  kind: growth.kind,
  name: growth.name,
  type: Option.getOrNull(growth.type),
  bytes_at_least: growth.bytes,
  // JSON has no Infinity: growth from nothing is `"new"`.
  ratio_at_least: Option.match(growth.ratio, {
    onNone: () => null,
    onSome: (ratio): number | "new" => ratio === Number.POSITIVE_INFINITY ? "new" : ratio
  }),
  text: growth.label
})

/** The comparison for scripts (the shape is documented in the README). */
export const comparisonJson = (
  comparison: ReportComparison.ReportComparison,
  threshold: GrowthThreshold
) => ({
  before: subjectJson(comparison.before),
  after: subjectJson(comparison.after),
  same_instance: Option.getOrNull(comparison.sameInstance),
  same_node: Option.getOrNull(comparison.sameNode),
  order: comparison.order,
  totals: {
    bytes: Option.getOrNull(Option.map(comparison.totals.bytes, numberChangeJson)),
    keys: Option.getOrNull(Option.map(comparison.totals.keys, numberChangeJson))
  },
  types: comparison.types.map((change) => ({
    type: change.type,
    bytes: numberChangeJson(change.bytes),
    keys: numberChangeJson(change.keys)
  })),
  prefixes: comparison.prefixes.map((change) => ({
    key_prefix: change.keyPrefix,
    type: change.type,
    kind: change.kind,
    label: ReportComparison.changeLabel(change),
    bytes: amountChangeJson(change.bytes, Humanize.bytes),
    keys: amountChangeJson(change.keys, Humanize.count)
  })),
  keys: comparison.keys.map((change) => ({
    key: change.key,
    type: change.type,
    kind: change.kind,
    label: ReportComparison.changeLabel(change),
    bytes: amountChangeJson(change.bytes, Humanize.bytes),
    elements: amountChangeJson(change.elements, Humanize.count)
  })),
  threshold: Option.isNone(threshold.ratio) && Option.isNone(threshold.bytes) ? null : {
    ratio: Option.getOrNull(threshold.ratio),
    bytes: Option.getOrNull(threshold.bytes),
    crossed: crossed(comparison, threshold).map(growthJson)
  }
})

/** A task that has no report (it has not succeeded): nothing to chart, compare or render. */
export class NoReport extends Data.TaggedError("NoReport")<{ readonly taskId: string }> {
  override get message(): string {
    return `task ${this.taskId} has no report: it has not succeeded (its status is in \`list\`; \`wait\` waits for it)`
  }
}

// ---------------------------------------------------------------------------------------------
// report: the file and the browser
// ---------------------------------------------------------------------------------------------

// Ids are user input: only what is safe in a file name everywhere.
const safe = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80)

/** `dcs-report-<instance>-<task>.html`, or `…-<task>-vs-<before>.html` for a comparison. */
export const defaultReportPath = (instanceId: string, taskId: string, compareTo: Option.Option<string>): string =>
  `dcs-report-${safe(instanceId)}-${safe(taskId)}${
    Option.match(compareTo, { onNone: () => "", onSome: (before) => `-vs-${safe(before)}` })
  }.html`

/** The command that opens a file in the default browser here, if the platform has one. */
export const opener = (
  platform: NodeJS.Platform = process.platform,
  path: string | undefined = process.env.PATH
): Option.Option<{ readonly command: string; readonly args: (file: string) => ReadonlyArray<string> }> => {
  if (platform === "darwin") return Option.some({ command: "open", args: (file) => [file] })
  if (platform === "win32") return Option.some({ command: "cmd", args: (file) => ["/c", "start", "", file] })
  const found = (path ?? "").split(Path.delimiter).filter((dir) => dir !== "").map((dir) => Path.join(dir, "xdg-open"))
    .find((candidate) => {
      try {
        Fs.accessSync(candidate, Fs.constants.X_OK)
        return true
      } catch {
        return false
      }
    })
  return found === undefined ? Option.none() : Option.some({ command: found, args: (file) => [file] })
}

/** Opens a file with the platform's opener, detached; answers whether one could be started. */
export const openFile = (file: string): Effect.Effect<boolean> =>
  Option.match(opener(), {
    onNone: () => Effect.succeed(false),
    onSome: ({ args, command }) =>
      Effect.async<boolean>((resume) => {
        const child = spawn(command, [...args(file)], { detached: true, stdio: "ignore" })
        child.once("error", () => resume(Effect.succeed(false)))
        child.once("spawn", () => {
          child.unref()
          resume(Effect.succeed(true))
        })
      })
  })
