/**
 * 3. Latency-bound: 50 pages, each answered after 20 ms; concurrent paging vs sequential.
 */
import { datasets, pageSize } from "../fixtures.js"
import { formatSeconds, measure, median, type Row, spreadOf, verdict } from "../harness.js"
import type { Benchmark } from "./types.js"

const GOAL_AT_8 = 5

export const latency: Benchmark = {
  name: "latency",
  run: async ({ endpoint, rounds, warmup }) => {
    const { delayMillis, total } = datasets.latency
    const samples = await measure(["latency/1", "latency/4", "latency/8"], { endpoint, rounds, warmup })
    for (const sample of samples) {
      if (sample.units !== total) throw new Error(`${sample.id} streamed ${sample.units} of ${total} tasks`)
    }
    const time = (i: number) => median(samples[i]!.seconds)
    return samples.map((sample, i): Row => {
      const speedup = time(0) / time(i)
      const concurrency = sample.id.slice("latency/".length)
      return {
        benchmark: `3. latency ${total / pageSize} pages x ${delayMillis} ms`,
        contender: i === 0 ? "ours, sequential (baseline)" : `ours, concurrency ${concurrency}`,
        median: formatSeconds(time(i)),
        cpu: formatSeconds(median(sample.cpuSeconds)),
        spread: spreadOf(sample.seconds),
        ratio: i === 0 ? "1.00x" : `${speedup.toFixed(2)}x faster`,
        goal: concurrency === "8" ? `>= ${GOAL_AT_8}x: ${verdict(speedup >= GOAL_AT_8)}` : ""
      }
    })
  }
}
