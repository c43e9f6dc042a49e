/**
 * Measuring: one worker process per contender, warm-up runs, rounds with the contenders
 * interleaved, medians, and the table.
 */
import type * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import { forkTs } from "./serverProcess.js"
import type { RunResult, WorkerMessage } from "./worker.js"

export interface Sample {
  readonly id: string
  /** Wall seconds of each measured round. */
  readonly seconds: ReadonlyArray<number>
  /** CPU seconds of the contender's process in each measured round. */
  readonly cpuSeconds: ReadonlyArray<number>
  /** Units of work of one round (the same every round). */
  readonly units: number
}

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url))

interface Worker {
  readonly id: string
  readonly run: () => Promise<RunResult>
  readonly close: () => Promise<void>
}

const startWorker = (id: string, endpoint: string): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess.ChildProcess = forkTs(workerPath, [id, endpoint])
    let pending: { resolve: (result: RunResult) => void; reject: (error: Error) => void } | undefined
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("exit", (code) => {
      const error = new Error(`the worker of ${id} exited with ${code}`)
      pending?.reject(error)
      reject(error)
    })
    child.on("message", (message: "ready" | RunResult) => {
      if (message === "ready") {
        resolve({
          id,
          run: () =>
            new Promise<RunResult>((resolveRun, rejectRun) => {
              pending = { resolve: resolveRun, reject: rejectRun }
              child.send("run" satisfies WorkerMessage)
            }),
          close: () => {
            child.send("close" satisfies WorkerMessage)
            return exited
          }
        })
      } else {
        const current = pending
        pending = undefined
        current?.resolve(message)
      }
    })
  })

/**
 * Starts a worker per contender, runs each `warmup` times, then `rounds` rounds in which each
 * contender runs once, in an order that rotates every round (so that none always runs first, or
 * always right after the same other one). Fails when a contender's units differ between runs:
 * it then did not do the same work.
 */
export const measure = async (
  ids: ReadonlyArray<string>,
  options: { readonly endpoint: string; readonly rounds: number; readonly warmup: number }
): Promise<Array<Sample>> => {
  const workers = await Promise.all(ids.map((id) => startWorker(id, options.endpoint)))
  try {
    const units = new Map<string, number>()
    const check = (id: string, result: RunResult) => {
      const expected = units.get(id)
      if (expected === undefined) units.set(id, result.units)
      else if (expected !== result.units) throw new Error(`${id} did ${result.units} units, then ${expected}`)
    }
    for (let i = 0; i < options.warmup; i++) {
      for (const worker of workers) check(worker.id, await worker.run())
    }
    const results = new Map<string, Array<RunResult>>(ids.map((id) => [id, []]))
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < workers.length; k++) {
        const worker = workers[(round + k) % workers.length]!
        const result = await worker.run()
        check(worker.id, result)
        results.get(worker.id)!.push(result)
      }
    }
    return ids.map((id) => ({
      id,
      seconds: results.get(id)!.map((r) => r.seconds),
      cpuSeconds: results.get(id)!.map((r) => r.cpuSeconds),
      units: units.get(id)!
    }))
  } finally {
    await Promise.all(workers.map((worker) => worker.close()))
  }
}

/** A row of the printed table. */
export interface Row {
  readonly benchmark: string
  readonly contender: string
  /** The median, formatted with its unit. */
  readonly median: string
  /** Median CPU time of the contender's process. */
  readonly cpu: string
  /** Half the spread of the rounds around the median: (max - min) / 2 / median. */
  readonly spread: string
  /** The ratio to the benchmark's baseline, as the goal reads it. */
  readonly ratio: string
  readonly goal: string
}

const columns = ["benchmark", "contender", "median", "cpu", "spread", "ratio", "goal"] as const

const pad = (s: string, width: number) => s + " ".repeat(Math.max(0, width - s.length))

export const formatTable = (rows: ReadonlyArray<Row>): string => {
  const header: Row = {
    benchmark: "benchmark",
    contender: "contender",
    median: "median",
    cpu: "cpu",
    spread: "spread",
    ratio: "ratio",
    goal: "goal"
  }
  const all = [header, ...rows]
  const widths = columns.map((column) => Math.max(...all.map((row) => row[column].length)))
  const line = (row: Row) => "| " + columns.map((column, i) => pad(row[column], widths[i]!)).join(" | ") + " |"
  const rule = "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|"
  return [line(header), rule, ...rows.map(line)].join("\n")
}

export const spreadOf = (seconds: ReadonlyArray<number>): string =>
  `±${((Math.max(...seconds) - Math.min(...seconds)) / median(seconds) * 50).toFixed(0)}%`

export const formatRate = (perSecond: number, unit: string): string =>
  perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)} M ${unit}/s`
    : perSecond >= 1e3
    ? `${(perSecond / 1e3).toFixed(1)} k ${unit}/s`
    : `${perSecond.toFixed(0)} ${unit}/s`

// 0.9996 s is "1.00 s", not "1000 ms".
export const formatSeconds = (seconds: number): string =>
  seconds >= 0.9995 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(0)} ms`

export const verdict = (met: boolean) => (met ? "met" : "MISSED")
