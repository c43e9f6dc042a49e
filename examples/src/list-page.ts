/**
 * Example 1: list one page of tasks, with a status filter.
 *
 *   pnpm --filter @effect-dcs/examples list-page
 */
import { DcsClient, OfflineKeyAnalysis } from "@effect-dcs/core"
import { NodeRuntime } from "@effect/platform-node"
import { Console, DateTime, Effect } from "effect"
import * as Target from "./target.js"

const program = Effect.gen(function*() {
  const { instanceId } = yield* Target.Target
  const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId, status: "success", offset: 0, limit: 5 })
  yield* Console.log(`${page.total} successful tasks; the first ${page.records.length}:`)
  for (const task of page.records) {
    yield* Console.log(
      `  ${task.id}  ${OfflineKeyAnalysis.statusToString(task.status)}  ${DateTime.formatIso(task.createdAt)}`
    )
  }
})

program.pipe(Effect.provide(Target.layer()), NodeRuntime.runMain)
