/**
 * Deterministic generation of realistic offline key analysis tasks for the emulator.
 *
 * @since 0.1.0
 */
import type * as DcsEmulator from "../DcsEmulator.js"

/** The created_at of the newest generated task unless told otherwise: the API page's own sample. */
export const defaultNow = Date.parse("2024-10-15T02:21:18.669Z")

/**
 * mulberry32: small, fast and good enough for test data; the same seed gives the same tasks.
 *
 * @internal
 */
export const prng = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * An integer in `[min, max)`.
 *
 * @internal
 */
export const between = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min))

const hex = "0123456789abcdef"

/**
 * A version 4 UUID drawn from the generator (not from the system's randomness).
 *
 * @internal
 */
export const uuid = (random: () => number): string => {
  let out = ""
  for (let i = 0; i < 32; i++) {
    const nibble = i === 12 ? 4 : i === 16 ? 8 + between(random, 0, 4) : between(random, 0, 16)
    out += hex[nibble]
    if (i === 7 || i === 11 || i === 15 || i === 19) out += "-"
  }
  return out
}

/**
 * FNV-1a over the UTF-16 code units: a 32-bit seed from a text (a task or instance id).
 *
 * @internal
 */
export const seedOf = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/**
 * A UUID derived from a text: the same text always gives the same UUID.
 *
 * @internal
 */
export const uuidFrom = (text: string): string => uuid(prng(seedOf(text)))

const iso = (millis: number): string => new Date(millis).toISOString()

type Missing = "absent" | "null" | "empty"

const missingKinds: ReadonlyArray<Missing> = ["absent", "null", "empty"]

/** Sets a time field that a task does not have yet, in one of the three shapes the API is known to use. */
const setMissing = (task: Record<string, unknown>, key: string, kind: Missing): void => {
  if (kind === "null") task[key] = null
  else if (kind === "empty") task[key] = ""
}

/** @internal */
export const generateTasks = (
  count: number,
  options?: { readonly seed?: number | undefined; readonly now?: number | undefined }
): ReadonlyArray<DcsEmulator.WireTask> => {
  const random = prng(options?.seed ?? 1)
  const total = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0
  // One analysis runs at a time per instance (the service answers DCS.4231 otherwise), so the
  // unfinished tasks are the newest: a few waiting ones, then the running one.
  const unfinished = total >= 10 ? between(random, 1, 4) : 0
  const tasks: Array<DcsEmulator.WireTask> = []
  // Far enough back that even the newest task has finished (or started) by `now`.
  let createdAt = (options?.now ?? defaultNow) - between(random, 40_000, 120_000)
  let missing = between(random, 0, 3)
  for (let i = 0; i < total; i++) {
    const task: Record<string, unknown> = { id: uuid(random) }
    const startedAt = createdAt + between(random, 2_000, 8_000)
    const finishedAt = startedAt + between(random, 1_000, 30_000)
    if (i < unfinished - 1) {
      task.status = "waiting"
      task.created_at = iso(createdAt)
      setMissing(task, "started_at", missingKinds[missing++ % 3]!)
      setMissing(task, "finished_at", missingKinds[missing++ % 3]!)
    } else if (i === unfinished - 1) {
      task.status = "running"
      task.created_at = iso(createdAt)
      task.started_at = iso(startedAt)
      setMissing(task, "finished_at", missingKinds[missing++ % 3]!)
    } else {
      task.status = random() < 0.08 ? "failed" : "success"
      task.created_at = iso(createdAt)
      task.started_at = iso(startedAt)
      task.finished_at = iso(finishedAt)
    }
    tasks.push(task as unknown as DcsEmulator.WireTask)
    // Queued tasks are seconds apart; the others were created by hand or by schedules, minutes
    // to hours apart, always longer than a run takes.
    createdAt -= i < unfinished ? between(random, 5_000, 60_000) : between(random, 60_000, 6 * 60 * 60_000)
  }
  return tasks
}
