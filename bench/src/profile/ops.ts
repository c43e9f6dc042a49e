/**
 * `npx tsx bench/src/profile/ops.ts`: counts, per page of our stream at steady state, the Effect
 * operations the fiber run loop executes and the fibers started. Unlike time on a shared
 * machine, these counts do not depend on the load: they show what a change removes.
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import * as NodeDcsClient from "@effect-dcs/node/NodeDcsClient"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { accessKeyId, datasets, pageSize, projectId, secretAccessKey } from "../fixtures.js"
import { startServer } from "../serverProcess.js"

// The run loop's op handlers are methods of FiberRuntime named after the op codes; the module is
// internal to effect, so it is loaded by its file (the same module instance as effect's own).
const effectRoot = Path.dirname(createRequire(import.meta.url).resolve("effect/package.json"))
const internal = (await import(
  pathToFileURL(Path.join(effectRoot, "dist/esm/internal/fiberRuntime.js")).href
)) as { readonly FiberRuntime: { readonly prototype: Record<string, unknown> } }
const prototype = internal.FiberRuntime.prototype
const opNames = [
  "Tag",
  "Left",
  "None",
  "Right",
  "Some",
  "Micro",
  "Sync",
  "Success",
  "Failure",
  "WithRuntime",
  "Blocked",
  "RunBlocked",
  "UpdateRuntimeFlags",
  "OnSuccess",
  "OnStep",
  "OnFailure",
  "OnSuccessAndFailure",
  "Async",
  "Yield",
  "While",
  "Iterator",
  "Commit"
]
const counts = new Map<string, number>()
let counting = false
for (const name of opNames) {
  const original = prototype[name]
  if (typeof original !== "function") continue
  prototype[name] = function(this: unknown, ...args: Array<unknown>) {
    if (counting) counts.set(name, (counts.get(name) ?? 0) + 1)
    return (original as (...args: Array<unknown>) => unknown).apply(this, args)
  }
}

let fibers = 0
class CountFibers extends Supervisor.AbstractSupervisor<void> {
  value = Effect.void
  override onStart() {
    if (counting) fibers++
  }
}

const server = await startServer([datasets.stream])
const runtime = ManagedRuntime.make(NodeDcsClient.layer({
  endpoint: server.endpoint,
  projectId,
  credentials: { accessKeyId, secretAccessKey: Redacted.make(secretAccessKey) }
}))
const concurrency = Number(process.argv[2] ?? 1)
const run = () =>
  runtime.runPromise(
    DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: datasets.stream.instanceId, pageSize, concurrency }).pipe(
      Stream.runCount,
      Effect.supervised(new CountFibers())
    )
  )
await run()
counting = true
await run()
counting = false
await runtime.dispose()
await server.stop()
const pages = datasets.stream.total / pageSize
const total = [...counts.values()].reduce((a, b) => a + b, 0)
process.stdout.write(
  `per page (concurrency ${concurrency}): ${(total / pages).toFixed(1)} operations, ${
    (fibers / pages).toFixed(2)
  } fibers started\n  ${
    [...counts].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${(n / pages).toFixed(1)}`).join(", ")
  }\n`
)
process.exit(0)
