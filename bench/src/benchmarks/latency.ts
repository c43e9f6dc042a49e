/**
 * 3. Latency-bound: 50 pages, each answered after 20 ms, then 50 pages answered after a seeded
 * 5–80 ms each; concurrent paging vs sequential.
 */
import { datasets, jitterDelay, pageSize } from "../fixtures.js"
import { formatSeconds, measure, median, type Row, type Sample, spreadOf, verdict } from "../harness.js"
import type { Benchmark } from "./types.js"

const GOAL_FIXED = 5.5
const GOAL_JITTER = 5

// The best a paginator can do with `slots` requests in flight: the first page alone (it tells the
// total), then each next page sent as soon as a slot frees, in order; CPU time ignored.
const idealSpeedup = (delays: ReadonlyArray<number>, slots: number): number => {
  const sequential = delays.reduce((a, b) => a + b, 0)
  const [first = 0, ...rest] = delays
  const free = new Array<number>(slots).fill(first)
  let end = first
  for (const delay of rest) {
    const slot = free.indexOf(Math.min(...free))
    free[slot] = free[slot]! + delay
    end = Math.max(end, free[slot]!)
  }
  return sequential / end
}

const rows = (title: string, samples: ReadonlyArray<Sample>, goal: number, limit: number): Array<Row> => {
  const time = (i: number) => median(samples[i]!.seconds)
  return samples.map((sample, i): Row => {
    const speedup = time(0) / time(i)
    const concurrency = sample.id.slice(sample.id.indexOf("/") + 1)
    return {
      benchmark: title,
      contender: i === 0 ? "ours, sequential (baseline)" : `ours, concurrency ${concurrency}`,
      median: formatSeconds(time(i)),
      cpu: formatSeconds(median(sample.cpuSeconds)),
      spread: spreadOf(sample.seconds),
      ratio: i === 0 ? "1.00x" : `${speedup.toFixed(2)}x faster`,
      goal: concurrency === "8" ? `>= ${goal}x (limit ${limit.toFixed(2)}x): ${verdict(speedup >= goal)}` : ""
    }
  })
}

export const latency: Benchmark = {
  name: "latency",
  run: async ({ endpoint, rounds, warmup }) => {
    const fixed = datasets.latency
    const jitter = datasets.jitter
    const check = (samples: ReadonlyArray<Sample>, total: number) => {
      for (const sample of samples) {
        if (sample.units !== total) throw new Error(`${sample.id} streamed ${sample.units} of ${total} tasks`)
      }
      return samples
    }
    const fixedSamples = check(
      await measure(["latency/1", "latency/4", "latency/8"], { endpoint, rounds, warmup }),
      fixed.total
    )
    const jitterSamples = check(await measure(["jitter/1", "jitter/8"], { endpoint, rounds, warmup }), jitter.total)
    const pages = (total: number) => Array.from({ length: total / pageSize }, (_, i) => i * pageSize)
    const fixedDelays = pages(fixed.total).map(() => fixed.delayMillis)
    const jitterDelays = pages(jitter.total).map((offset) => jitterDelay(offset, jitter.jitterMillis))
    return [
      ...rows(
        `3. latency ${fixed.total / pageSize} pages x ${fixed.delayMillis} ms`,
        fixedSamples,
        GOAL_FIXED,
        idealSpeedup(fixedDelays, 8)
      ),
      ...rows(
        `3. latency ${jitter.total / pageSize} pages x ${jitter.jitterMillis[0]}-${jitter.jitterMillis[1]} ms`,
        jitterSamples,
        GOAL_JITTER,
        idealSpeedup(jitterDelays, 8)
      )
    ]
  }
}
