/**
 * The main demo: stream every offline key analysis task of an instance and print a summary.
 *
 * Runs against Huawei Cloud when CLOUD_SDK_AK, CLOUD_SDK_SK, DCS_PROJECT_ID, DCS_ENDPOINT or
 * DCS_REGION, and DCS_INSTANCE_ID are set; otherwise against a local emulator seeded with a few
 * thousand realistic tasks.
 *
 *   pnpm demo
 */
import { DcsClient, OfflineKeyAnalysis } from "@effect-dcs/core"
import { NodeRuntime } from "@effect/platform-node"
import { Clock, Console, DateTime, Duration, Effect, Option, Stream } from "effect"
import * as Target from "./target.js"

interface Summary {
  readonly pages: number
  readonly records: number
  readonly total: number
  readonly byStatus: Readonly<Record<string, number>>
  readonly newest: ReadonlyArray<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>
  readonly lastRequestId: Option.Option<string>
}

const NEWEST = 10

const summarize = (instanceId: string) =>
  DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId, pageSize: 100 }).pipe(
    Stream.runFold(
      { pages: 0, records: 0, total: 0, byStatus: {}, newest: [], lastRequestId: Option.none() } as Summary,
      (summary, page): Summary => {
        const byStatus: Record<string, number> = { ...summary.byStatus }
        for (const record of page.records) {
          const status = OfflineKeyAnalysis.statusToString(record.status)
          byStatus[status] = (byStatus[status] ?? 0) + 1
        }
        return {
          pages: summary.pages + 1,
          records: summary.records + page.records.length,
          total: page.total,
          byStatus,
          newest: summary.newest.length < NEWEST
            ? [...summary.newest, ...page.records.slice(0, NEWEST - summary.newest.length)]
            : summary.newest,
          lastRequestId: page.requestId
        }
      }
    )
  )

const duration = (record: OfflineKeyAnalysis.OfflineKeyAnalysisRecord): string =>
  Option.match(Option.all([record.startedAt, record.finishedAt]), {
    onNone: () => "-",
    onSome: ([started, finished]) => Duration.format(Duration.millis(DateTime.distance(started, finished)))
  })

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")
}

const program = Effect.gen(function*() {
  const target = yield* Target.Target
  yield* Console.log(
    `Streaming every offline key analysis task of instance ${target.instanceId} from ${target.description}…`
  )
  const started = yield* Clock.currentTimeMillis
  const summary = yield* summarize(target.instanceId)
  const elapsed = (yield* Clock.currentTimeMillis) - started

  yield* Console.log(`\nNewest ${Math.min(NEWEST, summary.newest.length)} tasks:`)
  yield* Console.log(table([
    ["ID", "STATUS", "CREATED (UTC)", "DURATION"],
    ...summary.newest.map((record) => [
      record.id,
      OfflineKeyAnalysis.statusToString(record.status),
      DateTime.formatIso(record.createdAt).replace("T", " ").slice(0, 19),
      duration(record)
    ])
  ]))
  yield* Console.log("\nTasks by status:")
  yield* Console.log(table(
    Object.entries(summary.byStatus).sort(([, a], [, b]) => b - a).map(([status, count]) => [status, String(count)])
  ))
  yield* Console.log(
    `\n${summary.records} tasks (server total ${summary.total}) in ${summary.pages} pages of up to 100, ` +
      `${summary.pages} requests, ${elapsed} ms.` +
      Option.match(summary.lastRequestId, { onNone: () => "", onSome: (id) => ` Last request id: ${id}.` })
  )
})

program.pipe(
  Effect.provide(Target.layer({ emulatorTasks: 3000 })),
  Effect.tapErrorTag("DcsUnauthorized", (error) => Console.error(`Authentication failed: ${error.message}`)),
  NodeRuntime.runMain
)
