/**
 * 5. Decoding a 1,000-record page: the Schema (baseline) vs our fast decoder vs `JSON.parse`.
 */
import { formatRate, measure, median, type Row, spreadOf } from "../harness.js"
import type { Benchmark } from "./types.js"

const contenders = [
  ["decode/schema", "Schema.decodeUnknownSync (baseline)"],
  ["decode/ours", "ours: decodeListResponse"],
  ["decode/parse+ours", "JSON.parse + decodeListResponse"],
  ["decode/parse", "JSON.parse alone"]
] as const

export const decode: Benchmark = {
  name: "decode",
  run: async ({ endpoint, rounds, warmup }) => {
    const samples = await measure(contenders.map(([id]) => id), { endpoint, rounds, warmup })
    const rate = (i: number) => samples[i]!.units / median(samples[i]!.seconds)
    return samples.map((sample, i): Row => ({
      benchmark: "5. decode a 1,000-record page",
      contender: contenders[i]![1],
      median: formatRate(rate(i), "rec"),
      cpu: formatRate(sample.units / median(sample.cpuSeconds), "rec"),
      spread: spreadOf(sample.seconds),
      ratio: i === 0 ? "1.00x" : `${(rate(i) / rate(0)).toFixed(2)}x Schema`,
      goal: ""
    }))
  }
}
