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
  readonly run: (context: Context) => Promise<ReadonlyArray<Row>>
}
