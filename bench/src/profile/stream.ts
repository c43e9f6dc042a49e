/**
 * `pnpm bench:profile [out.cpuprofile] [--concurrency n] [--runs n]`: profiles our stream at steady
 * state and prints where the CPU time goes (self time per function and per file or package).
 *
 * Starts the bench server, streams the 100,000-task dataset 3 times to warm the JIT, then records
 * a CPU profile (node:inspector, the same profiler as `node --cpu-prof`) over `runs` more
 * streams. Run it bundled with esbuild `--keep-names` (the script does) so that functions keep
 * their names.
 */
import * as Fs from "node:fs"
import * as Inspector from "node:inspector/promises"
import { datasets } from "../fixtures.js"
import { makeOurClient } from "../ours.js"
import { startServer } from "../serverProcess.js"
import { summarize } from "./summarize.js"

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name)
  return at === -1 ? fallback : Number(args[at + 1])
}
const out = args.find((arg) => arg.endsWith(".cpuprofile")) ?? "stream.cpuprofile"
const concurrency = option("--concurrency", 1)
const runs = option("--runs", 3)

const server = await startServer([datasets.stream])
const client = makeOurClient(server.endpoint)
for (let i = 0; i < 3; i++) await client.streamAll(datasets.stream.instanceId, concurrency)
const session = new Inspector.Session()
session.connect()
await session.post("Profiler.enable")
await session.post("Profiler.setSamplingInterval", { interval: 100 })
await session.post("Profiler.start")
const cpu = process.cpuUsage()
const started = performance.now()
for (let i = 0; i < runs; i++) await client.streamAll(datasets.stream.instanceId, concurrency)
const wall = performance.now() - started
const used = process.cpuUsage(cpu)
const { profile } = await session.post("Profiler.stop")
session.disconnect()
await client.close()
await server.stop()
Fs.writeFileSync(out, JSON.stringify(profile))
const records = runs * datasets.stream.total
process.stdout.write(
  `${runs} x ${datasets.stream.total} tasks, concurrency ${concurrency}: ${(wall / runs).toFixed(0)} ms a run, ` +
    `${((used.user + used.system) / records).toFixed(2)} µs CPU a record; profile in ${out}\n\n`
)
process.stdout.write(summarize(profile) + "\n")
process.exit(0)
