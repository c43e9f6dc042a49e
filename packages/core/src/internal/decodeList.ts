import type * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisRecord,
  type TaskStatus
} from "../OfflineKeyAnalysis.js"
import { parseMillis, utcFromMillis } from "./time.js"

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
  const createdMillis = parseMillis(createdAt)
  if (createdMillis === undefined) return undefined
  const startedAt = optionalTime(wire.started_at)
  if (startedAt === undefined) return undefined
  const finishedAt = optionalTime(wire.finished_at)
  if (finishedAt === undefined) return undefined
  return new UncheckedRecord(id, toStatus(status), utcFromMillis(createdMillis), startedAt, finishedAt)
}

// `new OfflineKeyAnalysisRecord(fields, true)` skips validation but still copies the fields twice
// and looks for defaults on every call: a third of the time of decoding a page. The fields were
// checked above and the class declares no defaults and no constructor of its own, so the record
// is built as that constructor leaves it: the class's prototype with the fields as own properties,
// in the Schema's order. A constructor function of its own gives V8 one fixed shape and one
// allocation per record (`Object.assign` onto `Object.create` allocated the record, a properties
// array for the fifth field, and the object of fields).
// test/decodeList.test.ts checks that the result equals the Schema's.
type RecordFields = ConstructorParameters<typeof OfflineKeyAnalysisRecord>[0]

function Record(
  this: { -readonly [K in keyof RecordFields]: RecordFields[K] },
  id: RecordFields["id"],
  status: RecordFields["status"],
  createdAt: RecordFields["createdAt"],
  startedAt: RecordFields["startedAt"],
  finishedAt: RecordFields["finishedAt"]
) {
  this.id = id
  this.status = status
  this.createdAt = createdAt
  this.startedAt = startedAt
  this.finishedAt = finishedAt
}
Record.prototype = OfflineKeyAnalysisRecord.prototype

const UncheckedRecord = Record as unknown as new(
  id: RecordFields["id"],
  status: RecordFields["status"],
  createdAt: RecordFields["createdAt"],
  startedAt: RecordFields["startedAt"],
  finishedAt: RecordFields["finishedAt"]
) => OfflineKeyAnalysisRecord

// undefined: not sure, let the Schema decide.
const optionalTime = (wire: unknown): Option.Option<DateTime.Utc> | undefined => {
  if (wire == null || wire === "") return Option.none()
  if (typeof wire !== "string") return undefined
  const millis = parseMillis(wire)
  return millis === undefined ? undefined : Option.some(utcFromMillis(millis))
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
