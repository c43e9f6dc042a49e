/**
 * `pnpm bench`: runs the benchmark suite and prints a table of medians and ratios, every ratio
 * measured against a baseline in the same run. See BENCHMARKS.md for the method.
 *
 *   pnpm bench                         everything (about two and a half minutes on 2 CPUs)
 *   pnpm bench -- --only signing       some benchmarks (signing, stream, latency, memory, decode,
 *                                      cold, fleet; comma-separated or repeated)
 *   pnpm bench -- --rounds 5 --warmup 1
 *
 * The loopback server runs in a child process, and every contender in a worker process of its
 * own; this process only orchestrates.
 */
import * as Os from "node:os"
import { cold } from "./benchmarks/cold.js"
import { decode } from "./benchmarks/decode.js"
import { fleet } from "./benchmarks/fleet.js"
import { latency } from "./benchmarks/latency.js"
import { memory } from "./benchmarks/memory.js"
import { signing } from "./benchmarks/signing.js"
import { stream } from "./benchmarks/stream.js"
import type { Benchmark } from "./benchmarks/types.js"
import { datasets } from "./fixtures.js"
import { formatTable, type Row } from "./harness.js"
import { startServer } from "./serverProcess.js"

const all: ReadonlyArray<Benchmark> = [signing, stream, latency, memory, decode, cold, fleet]

interface Args {
  readonly only: ReadonlySet<string> | undefined
  readonly rounds: number
  readonly warmup: number
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const only = new Set<string>()
  let rounds = 7
  // Our stream reaches its steady state after about 300,000 records (JIT): three runs.
  let warmup = 3
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === "--") continue
    else if (arg === "--only") value().split(",").forEach((name) => only.add(name.trim()))
    else if (arg === "--rounds") rounds = Number(value())
    else if (arg === "--warmup") warmup = Number(value())
    else throw new Error(`unknown argument ${arg}; see bench/src/main.ts`)
  }
  for (const name of only) {
    if (!all.some((benchmark) => benchmark.name === name)) {
      throw new Error(`unknown benchmark ${name}; one of ${all.map((b) => b.name).join(", ")}`)
    }
  }
  if (!(Number.isInteger(rounds) && rounds >= 1 && Number.isInteger(warmup) && warmup >= 0)) {
    throw new Error("--rounds must be at least 1 and --warmup at least 0")
  }
  return { only: only.size === 0 ? undefined : only, rounds, warmup }
}

const args = parseArgs(process.argv.slice(2))
const selected = all.filter((benchmark) => args.only === undefined || args.only.has(benchmark.name))
const log = (line: string) => process.stderr.write(line + "\n")

const cpu = Os.cpus()[0]?.model ?? "unknown CPU"
log(
  `node ${process.version}, ${Os.availableParallelism()} CPUs (${cpu}), load average ${
    Os.loadavg().map((l) => l.toFixed(2)).join(" ")
  }`
)
log(`${args.rounds} rounds after ${args.warmup} warm-up runs; medians; ratios measured in this run`)

const started = performance.now()
for (const benchmark of selected) await benchmark.prepare?.(log)
const server = await startServer(Object.values(datasets))
const rows: Array<Row> = []
try {
  for (const benchmark of selected) {
    const t0 = performance.now()
    log(`${benchmark.name}...`)
    rows.push(...(await benchmark.run({ endpoint: server.endpoint, rounds: args.rounds, warmup: args.warmup, log })))
    log(`${benchmark.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  }
} finally {
  await server.stop()
}

process.stdout.write("\n" + formatTable(rows) + "\n\n")
log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`)
// The official SDK's axios keeps sockets in Node's global agent: do not wait for them.
process.exit(0)
