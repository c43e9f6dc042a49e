/**
 * 1. Signing: signatures per second of the DCS list request, ours (`Signer.signRequest`, on an
 * `HttpClientRequest`) vs the official `AKSKSigner.sign`.
 */
import { formatRate, measure, median, type Row, spreadOf, verdict } from "../harness.js"
import type { Benchmark } from "./types.js"

const GOAL = 3

export const signing: Benchmark = {
  name: "signing",
  run: async ({ endpoint, rounds, warmup }) => {
    const [ours, official] = await measure(["signing/ours", "signing/official"], { endpoint, rounds, warmup })
    const rate = (sample: typeof ours) => sample!.units / median(sample!.seconds)
    const cpu = (sample: typeof ours) => formatRate(sample!.units / median(sample!.cpuSeconds), "sig")
    const ratio = rate(ours) / rate(official)
    return [
      {
        benchmark: "1. signing",
        contender: "ours: Signer.signRequest",
        median: formatRate(rate(ours), "sig"),
        cpu: cpu(ours),
        spread: spreadOf(ours!.seconds),
        ratio: `${ratio.toFixed(2)}x official`,
        goal: `>= ${GOAL}x: ${verdict(ratio >= GOAL)}`
      },
      {
        benchmark: "1. signing",
        contender: "official: AKSKSigner.sign (baseline)",
        median: formatRate(rate(official), "sig"),
        cpu: cpu(official),
        spread: spreadOf(official!.seconds),
        ratio: "1.00x",
        goal: ""
      }
    ] satisfies Array<Row>
  }
}
