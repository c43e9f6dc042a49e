/**
 * What the commands print on stdout: tables for people, JSON for programs.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import { statusToString } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Format from "./format.js"
import * as Table from "./table.js"

// ---------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------

// Fixed widths (a UUID, the longest status, an ISO time), so that a listing printed page by page
// stays in line.
const taskColumns: ReadonlyArray<Table.Column> = [
  { header: "ID", width: 36 },
  { header: "STATUS", width: 7 },
  { header: "CREATED", width: 20 },
  { header: "STARTED", width: 20 },
  { header: "FINISHED", width: 20 },
  { header: "DURATION", align: "right" }
]

const taskWidths = Table.widths(taskColumns, [])

const taskCells = (record: OfflineKeyAnalysis.OfflineKeyAnalysisRecord): ReadonlyArray<string> => [
  record.id,
  statusToString(record.status),
  Format.time(record.createdAt),
  Format.optionalTime(record.startedAt),
  Format.optionalTime(record.finishedAt),
  Format.optional(Format.taskDuration(record), Format.duration)
]

/** The header of the task table. */
export const taskHeader: string = Table.row(taskColumns, taskWidths, taskColumns.map((column) => column.header))

/** Rows of the task table, one per task. */
export const taskRows = (records: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>): string =>
  records.map((record) => Table.row(taskColumns, taskWidths, taskCells(record))).join("\n")

/** The tasks as NDJSON: one object per line. */
export const taskLines = (records: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>): string =>
  records.map((record) => Format.json(Format.recordJson(record))).join("\n")

/** Prints tasks, as a table with its header or as NDJSON; nothing for no tasks in JSON. */
export const printTasks = (
  records: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>,
  json: boolean
): Effect.Effect<void> =>
  json
    ? records.length === 0 ? Effect.void : Console.log(taskLines(records))
    : Console.log(records.length === 0 ? taskHeader : `${taskHeader}\n${taskRows(records)}`)

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

/** The nodes of a task, as a table. */
export const nodeTable = (nodes: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisNode>): string =>
  Table.render(
    [{ header: "ID" }, { header: "NAME" }, { header: "GROUP" }, { header: "IPV6" }],
    nodes.map((node) => [
      node.id,
      Format.optional(node.name),
      Format.optional(node.groupName),
      Format.optional(Option.filter(node.nodeIpv6, (ip) => ip !== ""))
    ])
  )

/** The nodes as NDJSON. */
export const nodeLines = (nodes: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisNode>): string =>
  nodes.map((node) => Format.json(Format.nodeJson(node))).join("\n")

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/** Whether Show answered a report, rather than the details of a task that has not succeeded. */
export const hasReport = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): boolean =>
  Option.isSome(report.totalNum) || Option.isSome(report.totalBytes) || report.largestKeys.length > 0 ||
  report.largestKeyPrefixes.length > 0 || report.typeBytes.length > 0 || report.typeNum.length > 0

const nodeSummary = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): string => {
  const about = [
    ...Option.toArray(report.nodeType),
    ...Option.toArray(report.groupName),
    ...Option.toArray(report.nodeIp),
    ...Option.toArray(Option.filter(report.nodeIpv6, (ip) => ip !== ""))
  ]
  return `${Format.optional(report.nodeId)}${about.length === 0 ? "" : `  (${about.join(", ")})`}`
}

const analysisSummary = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): string => {
  const type = Format.optional(report.analysisType)
  return Option.match(report.backupId, {
    onNone: () => type,
    onSome: (backup) => `${type}, backup ${backup}`
  })
}

const detailFields = (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  task: Option.Option<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>
): ReadonlyArray<readonly [string, string]> => [
  ["Task", Format.optional(Option.orElse(report.id, () => Option.map(task, (record) => record.id)))],
  ...Option.match(task, {
    onNone: () => [],
    onSome: (record): ReadonlyArray<readonly [string, string]> => [["Status", statusToString(record.status)]]
  }),
  ["Instance", Format.optional(report.instanceId)],
  ["Node", nodeSummary(report)],
  ["Analysis", analysisSummary(report)],
  ["Started", Format.optionalTime(report.startedAt)],
  [
    "Finished",
    Format.optionalTime(report.finishedAt) +
    Option.match(Format.taskDuration(report), { onNone: () => "", onSome: (ms) => `  (took ${Format.duration(ms)})` })
  ],
  ["Keys", Format.optional(report.totalNum, Format.count)],
  ["Size", Format.optional(report.totalBytes, Format.bytes)]
]

const bigKeys = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): string =>
  Table.render(
    [{ header: "KEY" }, { header: "TYPE" }, { header: "SIZE", align: "right" }, {
      header: "ELEMENTS",
      align: "right"
    }],
    report.largestKeys.map((key) => [
      key.key,
      key.type,
      Format.bytes(key.bytes),
      Format.optional(key.numOfElem, Format.count)
    ])
  )

const prefixes = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): string =>
  Table.render(
    [{ header: "PREFIX" }, { header: "TYPE" }, { header: "KEYS", align: "right" }, { header: "SIZE", align: "right" }],
    report.largestKeyPrefixes.map((prefix) => [
      prefix.keyPrefix,
      prefix.type,
      Format.count(prefix.num),
      Format.bytes(prefix.bytes)
    ])
  )

const byType = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): string => {
  const types = Array.from(new Set([...report.typeBytes.map((t) => t.type), ...report.typeNum.map((t) => t.type)]))
  return Table.render(
    [{ header: "TYPE" }, { header: "KEYS", align: "right" }, { header: "SIZE", align: "right" }],
    types.map((type) => [
      type,
      Format.optional(
        Option.fromNullable(report.typeNum.find((t) => t.type === type)),
        (t) => Format.count(t.num)
      ),
      Format.optional(
        Option.fromNullable(report.typeBytes.find((t) => t.type === type)),
        (t) => Format.bytes(t.bytes)
      )
    ])
  )
}

/** The task, node and totals of a report, as `show` prints them first. */
export const reportDetails = (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  task: Option.Option<OfflineKeyAnalysis.OfflineKeyAnalysisRecord> = Option.none()
): string => Table.fields(detailFields(report, task))

/**
 * A report for people: the task and node, the totals, then the biggest keys, the key prefixes
 * with the most keys, and the keys and bytes per type.
 */
export const reportText = (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  task: Option.Option<OfflineKeyAnalysis.OfflineKeyAnalysisRecord> = Option.none()
): string => {
  const details = Table.fields(detailFields(report, task))
  if (!hasReport(report)) {
    return `${details}\n\nNo report: the analysis has not succeeded (its status is in \`list\`; \`wait\` waits for it).`
  }
  return [
    details,
    `Biggest keys (${report.largestKeys.length})\n${bigKeys(report)}`,
    `Key prefixes with the most keys (${report.largestKeyPrefixes.length})\n${prefixes(report)}`,
    `By type\n${byType(report)}`
  ].join("\n\n")
}
