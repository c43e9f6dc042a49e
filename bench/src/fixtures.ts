/**
 * The data every benchmark shares: the wire form of tasks as the DCS list API writes them, the
 * credentials, and the datasets the server serves.
 */

/** A task as the API writes it (snake_case, ISO-8601 UTC times with milliseconds). */
export interface WireTask {
  readonly id: string
  readonly status: string
  readonly created_at: string
  readonly started_at?: string | null
  readonly finished_at?: string | null
}

export const projectId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
export const accessKeyId = "BENCHAKSKACCESSKEY01"
export const secretAccessKey = "bench-secret-access-key-0123456789abcdef"

/** The datasets the server serves, one per instance id. */
export interface Dataset {
  readonly instanceId: string
  readonly total: number
  /** Milliseconds the server waits before answering each request. */
  readonly delayMillis: number
  /**
   * When set, the server waits a seeded pseudo-random time in `[min, max]` ms before answering
   * each page instead of `delayMillis`: the same delay for the same offset in every run.
   */
  readonly jitterMillis?: readonly [number, number]
  /** Pre-serialize every page of `pageSize` at start-up, or build each page when asked. */
  readonly prebuilt: boolean
}

export const pageSize = 100

export const datasets = {
  stream: { instanceId: "dcs-bench-100k", total: 100_000, delayMillis: 0, prebuilt: true },
  latency: { instanceId: "dcs-bench-latency", total: 50 * pageSize, delayMillis: 20, prebuilt: true },
  jitter: {
    instanceId: "dcs-bench-jitter",
    total: 50 * pageSize,
    delayMillis: 0,
    jitterMillis: [5, 80] as const,
    prebuilt: true
  },
  memorySmall: { instanceId: "dcs-bench-10k", total: 10_000, delayMillis: 0, prebuilt: false },
  memoryLarge: { instanceId: "dcs-bench-1m", total: 1_000_000, delayMillis: 0, prebuilt: false }
} satisfies Record<string, Dataset>

/** The delay of the page at `offset` of a jittered dataset: a seeded hash of the offset, in `[min, max]`. */
export const jitterDelay = (offset: number, [min, max]: readonly [number, number]): number => {
  // A 32-bit integer hash (Thomas Mueller's): well spread, and the same in every run.
  let x = (offset + 0x9e3779b9) >>> 0
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b) >>> 0
  x = Math.imul((x >>> 16) ^ x, 0x45d9f3b) >>> 0
  x = ((x >>> 16) ^ x) >>> 0
  return min + (x % (max - min + 1))
}

const BASE_MILLIS = Date.UTC(2024, 9, 15, 2, 21, 18, 669)
const hex = (n: number, width: number) => n.toString(16).padStart(width, "0").slice(-width)

// A deterministic UUID-shaped id per index: unique, so the paginator never sees a repeat.
const idOf = (index: number): string =>
  `${hex(index, 8)}-${hex(index * 7919, 4)}-4${hex(index >>> 3, 3)}-a${hex(index * 31, 3)}-${
    hex(index * 2654435761, 12)
  }`

const iso = (millis: number) => new Date(millis).toISOString()

/**
 * The task at `index` of the list (the service lists newest first). Mostly finished tasks, with
 * the shapes the API really writes for the others: a running task without `finished_at` or with
 * it `null`, a waiting task with `started_at` empty or missing.
 */
export const wireTask = (index: number): WireTask => {
  const created = BASE_MILLIS - index * 61_000
  const id = idOf(index)
  switch (index % 50) {
    case 7:
      return { id, status: "running", created_at: iso(created), started_at: iso(created + 431) }
    case 19:
      return { id, status: "running", created_at: iso(created), started_at: iso(created + 388), finished_at: null }
    case 29:
      return { id, status: "waiting", created_at: iso(created), started_at: "", finished_at: "" }
    case 41:
      return { id, status: "waiting", created_at: iso(created) }
    case 3:
    case 23:
    case 43:
      return {
        id,
        status: "failed",
        created_at: iso(created),
        started_at: iso(created + 502),
        finished_at: iso(created + 9_117)
      }
    default:
      return {
        id,
        status: "success",
        created_at: iso(created),
        started_at: iso(created + 433),
        finished_at: iso(created + 44_885)
      }
  }
}

/** The JSON body of one page of the list, as the API answers it. */
export const pageBody = (instanceId: string, total: number, offset: number, limit: number): string => {
  const records: Array<WireTask> = []
  const end = Math.min(total, offset + limit)
  for (let i = offset; i < end; i++) records.push(wireTask(i))
  return JSON.stringify({ instance_id: instanceId, total, records })
}
