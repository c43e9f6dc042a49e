/**
 * The emulator's in-memory data: instances and their tasks, kept sorted newest first so that a
 * list request only filters and slices.
 *
 * @since 0.1.0
 */
import type * as DcsEmulator from "../DcsEmulator.js"

/** A task's sort key: its created_at in epoch ms; a task without a readable one sorts last. */
const sortKey = (task: DcsEmulator.WireTask): number => {
  const millis = typeof task.created_at === "string" ? Date.parse(task.created_at) : Number.NaN
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis
}

/** @internal */
export interface Page {
  readonly total: number
  readonly records: ReadonlyArray<DcsEmulator.WireTask>
}

/** @internal */
export class InstanceStore {
  /** Newest first. */
  private tasks: Array<DcsEmulator.WireTask> = []
  /** `sortKey` of `tasks[i]`, in the same order. */
  private keys: Array<number> = []

  constructor(
    readonly id: string,
    public supportsKeyAnalysis: boolean,
    tasks: ReadonlyArray<DcsEmulator.WireTask>
  ) {
    this.replace(tasks)
  }

  replace(tasks: ReadonlyArray<DcsEmulator.WireTask>): void {
    // Array.prototype.sort is stable: tasks created at the same moment keep the caller's order.
    const keyed = tasks.map((task) => [sortKey(task), task] as const).sort((a, b) => b[0] - a[0])
    this.keys = keyed.map(([key]) => key)
    this.tasks = keyed.map(([, task]) => task)
  }

  /** Inserts one task at its place; among tasks created at the same moment it goes last. */
  insert(task: DcsEmulator.WireTask): void {
    const key = sortKey(task)
    let low = 0
    let high = this.keys.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.keys[middle]! >= key) low = middle + 1
      else high = middle
    }
    this.keys.splice(low, 0, key)
    this.tasks.splice(low, 0, task)
  }

  /** The created_at of the newest task in epoch ms, or -Infinity when there is none with a date. */
  get newest(): number {
    return this.keys[0] ?? Number.NEGATIVE_INFINITY
  }

  get all(): ReadonlyArray<DcsEmulator.WireTask> {
    return this.tasks.slice()
  }

  page(status: string | undefined, offset: number, limit: number): Page {
    if (status === undefined) {
      return { total: this.tasks.length, records: this.tasks.slice(offset, offset + limit) }
    }
    const records: Array<DcsEmulator.WireTask> = []
    let total = 0
    for (const task of this.tasks) {
      if (task.status !== status) continue
      if (total >= offset && records.length < limit) records.push(task)
      total++
    }
    return { total, records }
  }
}
