/**
 * 2. Streaming 100,000 tasks in pages of 100: ours vs a raw undici loop that signs and only
 * parses (the floor) vs the official SDK core. Ours with concurrency 4 is shown for information.
 */
import { datasets } from "../fixtures.js"
import { formatSeconds, measure, median, type Row, type Sample, spreadOf, verdict } from "../harness.js"
import type { Benchmark } from "./types.js"

const WITHIN_RAW = 2.5
const FASTER_THAN_OFFICIAL = 1.5

export const stream: Benchmark = {
  name: "stream",
  run: async ({ endpoint, rounds, warmup }) => {
    const { total } = datasets.stream
    const samples = await measure(
      ["stream/ours", "stream/raw", "stream/official", "stream/ours-concurrency-4"],
      { endpoint, rounds, warmup }
    )
    for (const sample of samples) {
      if (sample.units !== total) throw new Error(`${sample.id} streamed ${sample.units} of ${total} tasks`)
    }
    const [ours, raw, official, concurrent] = samples as [Sample, Sample, Sample, Sample]
    const time = (sample: Sample) => median(sample.seconds)
    const vsRaw = time(ours) / time(raw)
    const vsOfficial = time(official) / time(ours)
    const row = (sample: Sample, contender: string, ratio: string, goal: string): Row => ({
      benchmark: "2. stream 100k",
      contender,
      median: `${formatSeconds(time(sample))} (${(total / time(sample) / 1000).toFixed(0)} k rec/s)`,
      cpu: formatSeconds(median(sample.cpuSeconds)),
      spread: spreadOf(sample.seconds),
      ratio,
      goal
    })
    // CPU of the contender's process over the run (process.cpuUsage), per record streamed.
    const micros = (sample: Sample) => median(sample.cpuSeconds) / total * 1e6
    const cpuRow = (sample: Sample, contender: string, ratio: string, goal: string): Row => ({
      benchmark: "2. stream 100k, CPU per record",
      contender,
      median: `${micros(sample).toFixed(2)} µs`,
      cpu: formatSeconds(median(sample.cpuSeconds)),
      spread: spreadOf(sample.cpuSeconds),
      ratio,
      goal
    })
    return [
      row(
        ours,
        "ours: DcsClient.streamOfflineKeyAnalysisTasks",
        `${vsRaw.toFixed(2)}x raw's time; ${(1 / vsOfficial).toFixed(2)}x official's`,
        `<= ${WITHIN_RAW}x raw: ${verdict(vsRaw <= WITHIN_RAW)}; official / ours >= ${FASTER_THAN_OFFICIAL}: ${
          verdict(vsOfficial >= FASTER_THAN_OFFICIAL)
        } (${vsOfficial.toFixed(2)})`
      ),
      row(raw, "raw undici loop, signs + JSON.parse (floor, baseline)", "1.00x", ""),
      row(official, "official SDK core: HcClient", `${(time(official) / time(raw)).toFixed(2)}x raw's time`, ""),
      row(
        concurrent,
        "ours, concurrency 4 (for information)",
        `${(time(concurrent) / time(raw)).toFixed(2)}x raw's time`,
        ""
      ),
      cpuRow(
        ours,
        "ours",
        `${(micros(ours) / micros(official)).toFixed(2)}x official's`,
        `ours lower: ${verdict(micros(ours) < micros(official))}`
      ),
      cpuRow(official, "official SDK core (baseline)", "1.00x", ""),
      cpuRow(raw, "raw undici loop (floor)", `${(micros(raw) / micros(official)).toFixed(2)}x official's`, "")
    ]
  }
}
