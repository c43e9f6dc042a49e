/**
 * 4. Memory: peak RSS while streaming 1,000,000 tasks vs 10,000 tasks, each in a fresh process.
 */
import { fileURLToPath } from "node:url"
import { datasets } from "../fixtures.js"
import { formatSeconds, type Row, verdict } from "../harness.js"
import { forkTs } from "../serverProcess.js"
import type { Benchmark } from "./types.js"

const GOAL_MB = 40
// "Flat": the live heap after a full collection at the end of 1,000,000 tasks within this much of 10,000's.
const FLAT_MB = 5
const childPath = fileURLToPath(new URL("../memoryChild.ts", import.meta.url))

interface Result {
  readonly count: number
  readonly seconds: number
  readonly startRss: number
  readonly peakRss: number
  readonly liveHeap: number
}

const runChild = (endpoint: string, instanceId: string, total: number): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = forkTs(childPath, [endpoint, instanceId, String(total)], { execArgv: ["--expose-gc"] })
    let result: Result | undefined
    child.on("message", (message) => {
      result = message as Result
    })
    child.once("error", reject)
    child.once(
      "exit",
      (code) =>
        result === undefined || code !== 0 ? reject(new Error(`memory child exited with ${code}`)) : resolve(result)
    )
  })

const mb = (bytes: number) => bytes / (1024 * 1024)

export const memory: Benchmark = {
  name: "memory",
  run: async ({ endpoint, log }) => {
    const small = await runChild(endpoint, datasets.memorySmall.instanceId, datasets.memorySmall.total)
    // For information: where the growth happens (the heap sizes itself in the first pages).
    const medium = await runChild(endpoint, datasets.stream.instanceId, datasets.stream.total)
    const large = await runChild(endpoint, datasets.memoryLarge.instanceId, datasets.memoryLarge.total)
    log(
      `memory: 10k streamed in ${formatSeconds(small.seconds)}, 100k in ${formatSeconds(medium.seconds)}, ` +
        `1M in ${formatSeconds(large.seconds)}`
    )
    const growth = (result: Result) => {
      const mbs = mb(result.peakRss - small.peakRss)
      return `${mbs >= 0 ? "+" : ""}${mbs.toFixed(1)} MB`
    }
    const row = (name: string, result: Result, ratio: string, goal: string): Row => ({
      benchmark: "4. memory (peak RSS)",
      contender: name,
      median: `${mb(result.peakRss).toFixed(1)} MB`,
      cpu: "",
      spread: "1 run",
      ratio,
      goal
    })
    const heapGrowth = mb(large.liveHeap - small.liveHeap)
    return [
      row("ours, 10,000 tasks (baseline)", small, `${mb(small.startRss).toFixed(1)} MB at start`, ""),
      row("ours, 100,000 tasks (for information)", medium, growth(medium), ""),
      row(
        "ours, 1,000,000 tasks",
        large,
        growth(large),
        `<= +${GOAL_MB} MB: ${verdict(mb(large.peakRss - small.peakRss) <= GOAL_MB)}`
      ),
      {
        benchmark: "4. memory (live heap after GC)",
        contender: "ours, 1,000,000 vs 10,000 tasks",
        median: `${mb(large.liveHeap).toFixed(1)} vs ${mb(small.liveHeap).toFixed(1)} MB`,
        cpu: "",
        spread: "1 run",
        ratio: `${heapGrowth >= 0 ? "+" : ""}${heapGrowth.toFixed(1)} MB`,
        goal: `flat (within ${FLAT_MB} MB): ${verdict(Math.abs(heapGrowth) <= FLAT_MB)}`
      }
    ]
  }
}
