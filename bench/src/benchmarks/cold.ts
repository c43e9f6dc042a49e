/**
 * 6. Cold: streaming 100,000 tasks in a fresh process per run (no warm-up, as a CLI or a cron
 * job runs), ours vs the official SDK core vs the raw loop; several runs each, interleaved, medians.
 * Every contender runs compiled, in plain `node`, ours from the packed packages (coldBuild.ts).
 */
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { coldChildPath, coldModules, prepareColdBuild } from "../coldBuild.js"
import { datasets } from "../fixtures.js"
import { formatSeconds, median, type Row, spreadOf, verdict } from "../harness.js"
import type { Benchmark } from "./types.js"

const GOAL = 1.2
// A cold run takes 0.5–3 s plus the process start: 5 runs of each keep this under a minute.
const RUNS = 5

interface Result {
  readonly units: number
  readonly seconds: number
  readonly cpuSeconds: number
  readonly loadSeconds: number
  readonly loadCpuSeconds: number
  /** The files ours imported `@effect-dcs/*` from (file: URLs). */
  readonly modules: ReadonlyArray<string>
}

const runChild = (endpoint: string, contender: string): Promise<Result> =>
  new Promise((resolve, reject) => {
    // No execArgv of ours: fork would pass on this process's (tsx's loader).
    const child = ChildProcess.fork(coldChildPath, [contender, endpoint], { execArgv: [], stdio: "inherit" })
    let result: Result | undefined
    child.on("message", (message) => {
      result = message as Result
    })
    child.once("error", reject)
    child.once("exit", (code) =>
      result === undefined || code !== 0 ? reject(new Error(`cold ${contender} exited with ${code}`)) : resolve(result))
  })

const contenders = [
  ["ours", "ours: DcsClient.streamOfflineKeyAnalysisTasks"],
  ["official", "official SDK core: HcClient (baseline)"],
  ["raw", "raw undici loop (floor)"]
] as const

// Ours must be the packed build installed for the bench: no file of the workspace's sources.
const checkPacked = (modules: ReadonlyArray<string>): ReadonlyArray<string> => {
  const files = modules.map((url) => fileURLToPath(url))
  const outside = files.filter((file) => !/^@effect-dcs\/[^/]+\/dist\/esm\//.test(Path.relative(coldModules, file)))
  if (files.length === 0 || outside.length > 0) {
    throw new Error(`cold ours loaded @effect-dcs/* from ${files.join(", ")}, not from the packed packages`)
  }
  return files
}

export const cold: Benchmark = {
  name: "cold",
  prepare: prepareColdBuild,
  run: async ({ endpoint, log }) => {
    const results = new Map<string, Array<Result>>(contenders.map(([id]) => [id, []]))
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < contenders.length; k++) {
        const [id] = contenders[(run + k) % contenders.length]!
        const result = await runChild(endpoint, id)
        if (result.units !== datasets.stream.total) {
          throw new Error(`cold ${id} streamed ${result.units} of ${datasets.stream.total} tasks`)
        }
        if (id === "ours") {
          const files = checkPacked(result.modules)
          if (run === 0) log(`cold: ours from ${files.map((file) => Path.relative(process.cwd(), file)).join(", ")}`)
        }
        results.get(id)!.push(result)
      }
    }
    const seconds = (id: string) => results.get(id)!.map((r) => r.seconds)
    const time = (id: string) => median(seconds(id))
    const ratio = time("official") / time("ours")
    return contenders.map(([id, contender]): Row => {
      const rs = results.get(id)!
      const load = median(rs.map((r) => r.loadSeconds))
      return {
        benchmark: "6. cold stream 100k (fresh process)",
        contender,
        median: `${formatSeconds(time(id))} (+${formatSeconds(load)} loading)`,
        cpu: formatSeconds(median(rs.map((r) => r.cpuSeconds))),
        spread: spreadOf(seconds(id)),
        ratio: id === "official" ? "1.00x" : `official / this: ${(time("official") / time(id)).toFixed(2)}`,
        goal: id === "ours" ? `official / ours >= ${GOAL}: ${verdict(ratio >= GOAL)}` : ""
      }
    })
  }
}
