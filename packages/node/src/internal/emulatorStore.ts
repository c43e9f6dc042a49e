/**
 * The emulator's in-memory data: instances, their nodes and their tasks, kept sorted newest first
 * so that a list request only filters and slices.
 *
 * Two kinds of tasks live side by side. Tasks given as data (seeded, `addTasks`, the ones
 * `insertTasksWhilePaging` creates) are served as they are, their status fixed. Analyses created
 * through the API carry a schedule instead, and their status, times and report are computed from
 * the clock on every read: nothing runs in the background.
 *
 * @since 0.1.0
 */
import type * as DcsEmulator from "../DcsEmulator.js"
import type { InstanceRecord } from "./emulatorFleet.js"

/** A task served as it was given. */
interface StaticTask {
  readonly _tag: "Static"
  readonly id: string
  readonly task: DcsEmulator.WireTask
}

/**
 * An analysis created with `POST`. Times are the emulator's `Clock` (epoch ms); `shift` is added
 * to each when it is shown (see `InstanceStore.create`).
 *
 * @internal
 */
export interface Analysis {
  readonly _tag: "Analysis"
  readonly id: string
  readonly nodeId: string
  readonly backupId: string | undefined
  readonly createdAt: number
  readonly startsAt: number
  readonly finishesAt: number
  readonly outcome: "success" | "failed"
  readonly shift: number
}

/** @internal */
export type Entry = StaticTask | Analysis

/** @internal */
export type Status = "waiting" | "running" | "success" | "failed"

/** @internal */
export const analysisStatus = (analysis: Analysis, now: number): Status =>
  now < analysis.startsAt ? "waiting" : now < analysis.finishesAt ? "running" : analysis.outcome

const iso = (millis: number): string => new Date(millis).toISOString()

/**
 * The list record of an entry at `now`. An analysis's times are absent until it has them.
 *
 * @internal
 */
export const wireTask = (entry: Entry, now: number): DcsEmulator.WireTask => {
  if (entry._tag === "Static") return entry.task
  const status = analysisStatus(entry, now)
  const task: { -readonly [K in keyof DcsEmulator.WireTask]: DcsEmulator.WireTask[K] } = {
    id: entry.id,
    status,
    created_at: iso(entry.createdAt + entry.shift)
  }
  if (status !== "waiting") task.started_at = iso(entry.startsAt + entry.shift)
  if (status === "success" || status === "failed") task.finished_at = iso(entry.finishesAt + entry.shift)
  return task
}

/** An entry's sort key: its created_at in epoch ms; a task without a readable one sorts last. */
const sortKey = (entry: Entry): number => {
  if (entry._tag === "Analysis") return entry.createdAt + entry.shift
  const createdAt = entry.task.created_at
  const millis = typeof createdAt === "string" ? Date.parse(createdAt) : Number.NaN
  return Number.isNaN(millis) ? Number.NEGATIVE_INFINITY : millis
}

const staticEntry = (task: DcsEmulator.WireTask): StaticTask => ({ _tag: "Static", id: task.id, task })

/** @internal */
export interface Page {
  readonly total: number
  readonly records: ReadonlyArray<DcsEmulator.WireTask>
}

/** @internal */
export class InstanceStore {
  /** Newest first. */
  private entries: Array<Entry> = []
  /** `sortKey` of `entries[i]`, in the same order. */
  private keys: Array<number> = []

  constructor(
    readonly id: string,
    public supportsKeyAnalysis: boolean,
    readonly nodes: ReadonlyArray<DcsEmulator.ResolvedNode>,
    tasks: ReadonlyArray<DcsEmulator.WireTask>,
    /** The instance as `GET /v2/{project_id}/instances` lists it. */
    readonly record: InstanceRecord
  ) {
    this.replace(tasks)
  }

  replace(tasks: ReadonlyArray<DcsEmulator.WireTask>): void {
    // Array.prototype.sort is stable: tasks created at the same moment keep the caller's order.
    const keyed = tasks.map(staticEntry).map((entry) => [sortKey(entry), entry] as const).sort((a, b) => b[0] - a[0])
    this.keys = keyed.map(([key]) => key)
    this.entries = keyed.map(([, entry]) => entry)
  }

  /** Inserts one task at its place; among tasks created at the same moment it goes last. */
  insert(task: DcsEmulator.WireTask): void {
    this.insertEntry(staticEntry(task))
  }

  private insertEntry(entry: Entry): void {
    const key = sortKey(entry)
    let low = 0
    let high = this.keys.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.keys[middle]! >= key) low = middle + 1
      else high = middle
    }
    this.keys.splice(low, 0, key)
    this.entries.splice(low, 0, entry)
  }

  /**
   * Adds an analysis created at `now` at the head of the list. On the service a new task is always
   * the newest; when the clock is behind the newest task (a `TestClock` at 0 beside seeded 2024
   * tasks), every time the analysis shows is moved forward by the same amount, so that it still
   * heads the list and its times keep their spacing. The status still follows the clock.
   */
  create(fields: Omit<Analysis, "_tag" | "shift" | "createdAt">, now: number): Analysis {
    const shift = Math.max(0, this.newest + 1 - now)
    const analysis: Analysis = { _tag: "Analysis", ...fields, createdAt: now, shift }
    this.insertEntry(analysis)
    return analysis
  }

  /** The first entry with that id. */
  find(id: string): Entry | undefined {
    return this.entries.find((entry) => entry.id === id)
  }

  /** Removes the first entry with that id; `false` when there is none. */
  remove(id: string): boolean {
    const index = this.entries.findIndex((entry) => entry.id === id)
    if (index === -1) return false
    this.entries.splice(index, 1)
    this.keys.splice(index, 1)
    return true
  }

  /** The analysis waiting or running on a node at `now`, if any. Tasks given as data never count. */
  activeOn(nodeId: string, now: number): Analysis | undefined {
    for (const entry of this.entries) {
      if (entry._tag !== "Analysis" || entry.nodeId !== nodeId) continue
      const status = analysisStatus(entry, now)
      if (status === "waiting" || status === "running") return entry
    }
    return undefined
  }

  /** The created_at of the newest task in epoch ms, or -Infinity when there is none with a date. */
  get newest(): number {
    return this.keys[0] ?? Number.NEGATIVE_INFINITY
  }

  all(now: number): ReadonlyArray<DcsEmulator.WireTask> {
    return this.entries.map((entry) => wireTask(entry, now))
  }

  page(status: string | undefined, offset: number, limit: number, now: number): Page {
    if (status === undefined) {
      return {
        total: this.entries.length,
        records: this.entries.slice(offset, offset + limit).map((entry) => wireTask(entry, now))
      }
    }
    const records: Array<DcsEmulator.WireTask> = []
    let total = 0
    for (const entry of this.entries) {
      const task = wireTask(entry, now)
      if (task.status !== status) continue
      if (total >= offset && records.length < limit) records.push(task)
      total++
    }
    return { total, records }
  }
}
