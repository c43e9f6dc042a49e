/**
 * A worker process running one contender: builds it, then runs it once per "run" message and
 * answers with the wall and CPU time of that run (CPU time of this process only: the client's).
 *
 * argv: contender id, server endpoint.
 */
import { contenders } from "./contenders.js"

export interface RunResult {
  readonly seconds: number
  readonly cpuSeconds: number
  readonly units: number
}

export type WorkerMessage = "run" | "close"

const [id, endpoint] = process.argv.slice(2)
const make = id === undefined ? undefined : contenders[id]
if (make === undefined || endpoint === undefined) throw new Error(`usage: worker <contender> <endpoint>, got ${id}`)
const runner = await make(endpoint)
await runner.warm?.()

process.on("message", async (message: WorkerMessage) => {
  if (message === "close") {
    await runner.close?.()
    process.exit(0)
  }
  // No forced collection between runs: it would shrink the young generation, and the next run
  // of an allocating client would pay to grow it again (our stream ran 50% slower that way).
  // Each contender has its process, so no run collects another contender's garbage.
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  const units = await runner.run()
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const used = process.cpuUsage(cpu)
  process.send!({ seconds, cpuSeconds: (used.user + used.system) / 1e6, units } satisfies RunResult)
})
process.send!("ready")
