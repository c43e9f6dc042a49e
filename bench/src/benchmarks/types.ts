/**
 * What every benchmark receives and returns.
 */
import type { Row } from "../harness.js"

export interface Context {
  /** The bench server's origin, e.g. `http://127.0.0.1:40123`. */
  readonly endpoint: string
  /** Measured rounds per contender. */
  readonly rounds: number
  /** Unmeasured runs per contender before the rounds. */
  readonly warmup: number
  readonly log: (line: string) => void
}

export interface Benchmark {
  readonly name: string
  /** Builds what the benchmark runs, before the server starts (only what is out of date). */
  readonly prepare?: (log: (line: string) => void) => Promise<void>
  readonly run: (context: Context) => Promise<ReadonlyArray<Row>>
}
