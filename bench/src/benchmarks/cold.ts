/**
 * 6. Cold: streaming 100,000 tasks in a fresh process per run (no warm-up, as a CLI or a cron
 * job runs), ours vs the official SDK core vs the raw loop; several runs each, interleaved, medians.
 */
import { fileURLToPath } from "node:url"
import { datasets } from "../fixtures.js"
import { formatSeconds, median, type Row, spreadOf, verdict } from "../harness.js"
import { forkTs } from "../serverProcess.js"
import type { Benchmark } from "./types.js"

const GOAL = 1.2
// A cold run takes 0.5–3 s plus the process start: 5 runs of each keep this under a minute.
const RUNS = 5
const childPath = fileURLToPath(new URL("../coldChild.ts", import.meta.url))

interface Result {
  readonly units: number
  readonly seconds: number
  readonly cpuSeconds: number
  readonly loadSeconds: number
  readonly loadCpuSeconds: number
}

const runChild = (endpoint: string, contender: string): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = forkTs(childPath, [contender, endpoint])
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

export const cold: Benchmark = {
  name: "cold",
  run: async ({ endpoint }) => {
    const results = new Map<string, Array<Result>>(contenders.map(([id]) => [id, []]))
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < contenders.length; k++) {
        const [id] = contenders[(run + k) % contenders.length]!
        const result = await runChild(endpoint, id)
        if (result.units !== datasets.stream.total) {
          throw new Error(`cold ${id} streamed ${result.units} of ${datasets.stream.total} tasks`)
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
