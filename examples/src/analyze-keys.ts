/**
 * Example 6: analyse an instance's keys end to end — create an analysis of a node's backup, wait
 * for it, and print the biggest keys and the key prefixes with the most keys.
 *
 * Against the cloud it needs DCS_NODE_ID (a node of DCS_INSTANCE_ID) besides the usual variables.
 *
 *   pnpm --filter @effect-dcs/examples analyze-keys
 */
import { DcsClient, type OfflineKeyAnalysis } from "@effect-dcs/core"
import { DcsEmulator, NodeDcsClient } from "@effect-dcs/node"
import { NodeRuntime } from "@effect/platform-node"
import { Config, Console, Effect, Option } from "effect"

const formatBytes = (bytes: number): string => {
  const units = ["B", "KB", "MB", "GB", "TB"]
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd()).join("\n")
}

const printReport = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport) =>
  Effect.gen(function*() {
    yield* Console.log(
      `Node ${Option.getOrElse(report.nodeId, () => "?")} (${Option.getOrElse(report.nodeType, () => "?")}), ` +
        `${Option.match(report.totalNum, { onNone: () => "?", onSome: String })} keys, ` +
        `${Option.match(report.totalBytes, { onNone: () => "?", onSome: formatBytes })}`
    )
    yield* Console.log("\nBiggest keys:")
    yield* Console.log(table([
      ["KEY", "TYPE", "SIZE", "ELEMENTS"],
      ...report.largestKeys.slice(0, 10).map((key) => [
        key.key,
        key.type,
        formatBytes(key.bytes),
        Option.match(key.numOfElem, { onNone: () => "-", onSome: String })
      ])
    ]))
    yield* Console.log("\nPrefixes with the most keys:")
    yield* Console.log(table([
      ["PREFIX", "TYPE", "KEYS", "SIZE"],
      ...report.largestKeyPrefixes.slice(0, 10).map((prefix) => [
        prefix.keyPrefix,
        prefix.type,
        String(prefix.num),
        formatBytes(prefix.bytes)
      ])
    ]))
  })

const cloud = Config.all({
  instanceId: Config.nonEmptyString("DCS_INSTANCE_ID"),
  nodeId: Config.nonEmptyString("DCS_NODE_ID")
}).pipe(Config.option)

const program = Effect.gen(function*() {
  const target = yield* cloud
  const { instanceId, layer, nodeId } = Option.isSome(target)
    ? { ...target.value, layer: NodeDcsClient.layerConfig() }
    : yield* Effect.gen(function*() {
      // The emulator's analyses take seconds, not minutes.
      const emulator = yield* DcsEmulator.make({ analysis: { waitingFor: "1 second", runningFor: "2 seconds" } })
      const nodes = yield* emulator.nodes()
      return {
        instanceId: emulator.instanceId,
        nodeId: nodes[0]!.id,
        layer: NodeDcsClient.layer({
          endpoint: emulator.url,
          projectId: emulator.projectId,
          credentials: emulator.credentials
        })
      }
    })
  yield* Console.log(`Analysing the keys of node ${nodeId} of instance ${instanceId}…`)
  const { report, task } = yield* DcsClient.analyzeKeys({ instanceId, nodeId }).pipe(Effect.provide(layer))
  yield* Console.log(`Task ${task.id} finished.\n`)
  yield* printReport(report)
})

program.pipe(Effect.scoped, NodeRuntime.runMain)
