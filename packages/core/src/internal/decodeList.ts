import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisRecord,
  type TaskStatus
} from "../OfflineKeyAnalysis.js"
import { parseMillis } from "./time.js"

// Decoding a page is the hot path of every stream. The Schema is the contract; this fast path
// accepts only the plain, well-formed shape and builds the very same values without the
// Schema's generic machinery. Anything it is unsure of goes to the Schema, whose answer (value
// or error report) is then final. test/decodeList.test.ts checks both agree on arbitrary input.

const decodeSlow = Schema.decodeUnknownEither(ListOfflineKeyAnalysisTasksResponse)

/** @internal */
export const decodeListResponse = (json: unknown): Either.Either<ListOfflineKeyAnalysisTasksResponse, string> => {
  const fast = decodeFast(json)
  if (fast !== undefined) return Either.right(fast)
  return Either.mapLeft(
    decodeSlow(json, { errors: "first" }),
    (error) => ParseResult.TreeFormatter.formatErrorSync(error)
  )
}

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const decodeFast = (json: unknown): ListOfflineKeyAnalysisTasksResponse | undefined => {
  if (!isPlainObject(json)) return undefined
  const total = json.total
  if (typeof total !== "number" || !Number.isSafeInteger(total) || total < 0) return undefined
  const instanceId = json.instance_id
  if (instanceId != null && typeof instanceId !== "string") return undefined
  const wireRecords = json.records
  let records: Array<OfflineKeyAnalysisRecord> = []
  if (wireRecords != null) {
    if (!Array.isArray(wireRecords)) return undefined
    records = new Array(wireRecords.length)
    for (let i = 0; i < wireRecords.length; i++) {
      const record = decodeRecordFast(wireRecords[i])
      if (record === undefined) return undefined
      records[i] = record
    }
  }
  return new ListOfflineKeyAnalysisTasksResponse({
    instanceId: instanceId == null ? Option.none() : Option.some(instanceId),
    total,
    records
  }, true)
}

const decodeRecordFast = (wire: unknown): OfflineKeyAnalysisRecord | undefined => {
  if (!isPlainObject(wire)) return undefined
  const id = wire.id
  const status = wire.status
  const createdAt = wire.created_at
  if (typeof id !== "string" || typeof status !== "string" || typeof createdAt !== "string") return undefined
  const createdMillis = timeMillis(createdAt)
  if (createdMillis === undefined) return undefined
  const startedAt = optionalTime(wire.started_at)
  if (startedAt === undefined) return undefined
  const finishedAt = optionalTime(wire.finished_at)
  if (finishedAt === undefined) return undefined
  return makeRecord({
    id,
    status: toStatus(status),
    createdAt: DateTime.unsafeMake(createdMillis),
    startedAt,
    finishedAt
  })
}

// `new OfflineKeyAnalysisRecord(fields, true)` skips validation but still copies the fields twice
// and looks for defaults on every call: a third of the time of decoding a page. The fields were
// checked above and the class declares no defaults and no constructor of its own, so the record
// is built as that constructor leaves it: the class's prototype with the fields as own properties.
// test/decodeList.test.ts checks that the result equals the Schema's.
const makeRecord = (fields: ConstructorParameters<typeof OfflineKeyAnalysisRecord>[0]): OfflineKeyAnalysisRecord =>
  Object.assign(Object.create(OfflineKeyAnalysisRecord.prototype), fields)

// undefined: not sure, let the Schema decide.
const optionalTime = (wire: unknown): Option.Option<DateTime.Utc> | undefined => {
  if (wire == null || wire === "") return Option.none()
  if (typeof wire !== "string") return undefined
  const millis = timeMillis(wire)
  return millis === undefined ? undefined : Option.some(DateTime.unsafeMake(millis))
}

// The service writes every time as `2024-10-15T02:21:18.669Z`. Reading that shape digit by digit
// takes a fraction of the time of the regex and `Date.parse` of parseMillis, which still decides
// every other shape, and the days after the 28th (whether the month has them is its call).
const timeMillis = (s: string): number | undefined => canonicalMillis(s) ?? parseMillis(s)

const canonicalMillis = (s: string): number | undefined => {
  if (
    s.length !== 24 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH || s.charCodeAt(10) !== T ||
    s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON || s.charCodeAt(19) !== DOT || s.charCodeAt(23) !== Z
  ) return undefined
  const year = digits(s, 0, 4)
  const month = digits(s, 5, 2)
  const day = digits(s, 8, 2)
  const hour = digits(s, 11, 2)
  const minute = digits(s, 14, 2)
  const second = digits(s, 17, 2)
  const millis = digits(s, 20, 3)
  // Date.UTC reads years 0 to 99 as 1900 to 1999: leave those to Date.parse as well.
  if (
    year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 ||
    minute > 59 || second < 0 || second > 59 || millis < 0
  ) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, millis)
}

const DASH = 0x2d
const COLON = 0x3a
const DOT = 0x2e
const T = 0x54
const Z = 0x5a

// The number written by `length` ASCII digits from `at`; -1 when one of them is not a digit.
const digits = (s: string, at: number, length: number): number => {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const digit = s.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

const toStatus = (status: string): TaskStatus => {
  switch (status) {
    case "waiting":
    case "running":
    case "success":
    case "failed":
      return status
    default:
      return { _tag: "Unrecognized", status }
  }
}
