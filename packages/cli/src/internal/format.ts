/**
 * How values are written for people (tables) and for programs (JSON).
 *
 * JSON keeps the service's wire names (snake_case) and its ISO-8601 times, so that what a script
 * reads from the tool is what the API documentation describes.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import { OfflineKeyAnalysisNode, OfflineKeyAnalysisReport, statusToString } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** @internal */
export const none = "-"

/** A time for a table: ISO-8601 UTC to the second, e.g. `2024-10-15T02:21:18Z`. */
export const time = (dateTime: DateTime.Utc): string => DateTime.formatIso(dateTime).replace(/\.\d+Z$/, "Z")

/** @internal */
export const optionalTime = (dateTime: Option.Option<DateTime.Utc>): string =>
  Option.match(dateTime, { onNone: () => none, onSome: time })

/** A duration for a table: `850ms`, `12s`, `2m 05s`, `1h 02m`. */
export const duration = (millis: number): string => {
  if (millis < 1000) return `${Math.max(0, Math.round(millis))}ms`
  const seconds = Math.round(millis / 1000)
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`
}

const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const

/** A size for a table, in powers of 1024: `512 B`, `1.5 KiB`, `23.4 GiB`. */
export const bytes = (value: number): string => {
  let scaled = value
  let unit = 0
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${scaled.toFixed(1)} ${units[unit]}`
}

/** A count for a table, with thousands separators: `1,234,567`. */
export const count = (value: number): string => value.toLocaleString("en-US")

/** @internal */
export const optional = <A>(value: Option.Option<A>, f: (a: A) => string = String): string =>
  Option.match(value, { onNone: () => none, onSome: f })

/** How long a task ran: from `started_at` to `finished_at`, when it has both. */
export const taskDuration = (record: {
  readonly startedAt: Option.Option<DateTime.Utc>
  readonly finishedAt: Option.Option<DateTime.Utc>
}): Option.Option<number> =>
  Option.zipWith(
    record.startedAt,
    record.finishedAt,
    (started, finished) => DateTime.toEpochMillis(finished) - DateTime.toEpochMillis(started)
  )

const isoOrNull = (dateTime: Option.Option<DateTime.Utc>): string | null =>
  Option.match(dateTime, { onNone: () => null, onSome: DateTime.formatIso })

/**
 * A task as one NDJSON line: the list record's wire fields, times in ISO-8601 (`null` when the
 * task has not started or finished).
 */
export const recordJson = (record: OfflineKeyAnalysis.OfflineKeyAnalysisRecord) => ({
  id: record.id,
  status: statusToString(record.status),
  created_at: DateTime.formatIso(record.createdAt),
  started_at: isoOrNull(record.startedAt),
  finished_at: isoOrNull(record.finishedAt)
})

const encodeReport = Schema.encodeSync(OfflineKeyAnalysisReport)
const encodeNode = Schema.encodeSync(OfflineKeyAnalysisNode)

/** A report as Show answers it on the wire; fields the service left out stay out. */
export const reportJson = (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport): unknown => encodeReport(report)

/** A node as the nodes operation answers it on the wire. */
export const nodeJson = (node: OfflineKeyAnalysis.OfflineKeyAnalysisNode): unknown => encodeNode(node)

/** One line of JSON. */
export const json = (value: unknown): string => JSON.stringify(value)

const durationPart = /(\d+(?:\.\d+)?)(ms|h|m|s)/g

/**
 * Reads a duration as people type it: `90` (seconds), `90s`, `10m`, `1h30m`, `500ms`, or
 * Effect's own form (`10 minutes`). `None` for anything else, zero and negative values included.
 */
export const parseDuration = (input: string): Option.Option<Duration.Duration> => {
  const text = input.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return positive(Duration.seconds(Number(text)))
  if (/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) {
    let millis = 0
    for (const [, amount, unit] of text.matchAll(durationPart)) {
      const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000
      millis += Number(amount) * factor
    }
    return positive(Duration.millis(millis))
  }
  return Option.flatMap(Duration.decodeUnknown(text), positive)
}

const positive = (duration: Duration.Duration): Option.Option<Duration.Duration> =>
  Duration.greaterThan(duration, Duration.zero) && Duration.isFinite(duration)
    ? Option.some(duration)
    : Option.none()
