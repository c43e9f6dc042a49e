import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, FastCheck as fc, Option, Schema } from "effect"
import {
  isFinished,
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisRecord,
  statusToString,
  type TaskStatus
} from "../src/OfflineKeyAnalysis.js"
import { docExample, isoTime, knownStatuses, wirePage, wireRecord } from "./utils/wire.js"

const decodeRecord = Schema.decodeUnknownEither(OfflineKeyAnalysisRecord)
const encodeRecord = Schema.encodeSync(OfflineKeyAnalysisRecord)
const decodeResponse = Schema.decodeUnknownEither(ListOfflineKeyAnalysisTasksResponse)
const encodeResponse = Schema.encodeSync(ListOfflineKeyAnalysisTasksResponse)

const utc = (iso: string) => DateTime.unsafeMake(iso)

const baseRecord = {
  id: "858ee14c-2271-4489-8b82-7bda7459ae3e",
  status: "success",
  created_at: "2024-10-15T02:21:18.669Z"
}

const decodeRecordOrThrow = (input: unknown): OfflineKeyAnalysisRecord => {
  const result = decodeRecord(input)
  if (Either.isLeft(result)) throw new Error(`expected ${JSON.stringify(input)} to decode: ${result.left.message}`)
  return result.right
}

describe("OfflineKeyAnalysisRecord", () => {
  it("decodes the doc's example record to camelCase fields with UTC times", () => {
    const record = decodeRecordOrThrow({
      ...baseRecord,
      started_at: "2024-10-15T02:21:23.534Z",
      finished_at: "2024-10-15T02:21:25.588Z"
    })
    expect(record).toBeInstanceOf(OfflineKeyAnalysisRecord)
    expect(record.id).toBe("858ee14c-2271-4489-8b82-7bda7459ae3e")
    expect(record.status).toBe("success")
    expect(DateTime.toEpochMillis(record.createdAt)).toBe(Date.UTC(2024, 9, 15, 2, 21, 18, 669))
    expect(DateTime.isUtc(record.createdAt)).toBe(true)
    expect(record.startedAt).toEqual(Option.some(utc("2024-10-15T02:21:23.534Z")))
    expect(record.finishedAt).toEqual(Option.some(utc("2024-10-15T02:21:25.588Z")))
  })

  it.each([
    ["absent", {}],
    ["null", { started_at: null, finished_at: null }],
    ["empty string", { started_at: "", finished_at: "" }]
  ])("reads %s started_at / finished_at as None", (_, times) => {
    const record = decodeRecordOrThrow({ ...baseRecord, status: "waiting", ...times })
    expect(record.startedAt).toEqual(Option.none())
    expect(record.finishedAt).toEqual(Option.none())
  })

  it("mixes a present start with a missing finish", () => {
    const record = decodeRecordOrThrow({ ...baseRecord, status: "running", started_at: "2024-10-15T02:21:23.534Z" })
    expect(record.startedAt).toEqual(Option.some(utc("2024-10-15T02:21:23.534Z")))
    expect(record.finishedAt).toEqual(Option.none())
  })

  it("ignores unknown extra fields", () => {
    const record = decodeRecordOrThrow({
      ...baseRecord,
      node_id: "n-1",
      progress: 42,
      nested: { a: [1, 2] },
      createdAt: "not a date, and not the wire key"
    })
    expect(record).toEqual(decodeRecordOrThrow(baseRecord))
    expect(Object.keys(encodeRecord(record)).sort()).toEqual(["created_at", "id", "status"])
  })

  it.each(knownStatuses)("decodes the documented status %s as the string itself", (status) => {
    expect(decodeRecordOrThrow({ ...baseRecord, status }).status).toBe(status)
  })

  it.each(["cancelled", "SUCCESS", "Success", "", " success", "success "])(
    "decodes the unknown status %j as Unrecognized and encodes it back",
    (status) => {
      const record = decodeRecordOrThrow({ ...baseRecord, status })
      expect(record.status).toEqual({ _tag: "Unrecognized", status })
      expect(statusToString(record.status)).toBe(status)
      expect(isFinished(record.status)).toBe(false)
      expect(encodeRecord(record).status).toBe(status)
    }
  )

  it("makes a switch over the status handle the unrecognized case (type level)", () => {
    const describeStatus = (status: TaskStatus): string => {
      if (typeof status === "string") {
        switch (status) {
          case "waiting":
          case "running":
          case "success":
          case "failed":
            return status
        }
      }
      // Only Unrecognized is left here: the compiler narrowed it.
      const unrecognized: { readonly _tag: "Unrecognized"; readonly status: string } = status
      return `?${unrecognized.status}`
    }
    expect(describeStatus(decodeRecordOrThrow({ ...baseRecord, status: "paused" }).status)).toBe("?paused")
    expect(describeStatus(decodeRecordOrThrow(baseRecord).status)).toBe("success")
  })

  it("encodes to the wire's snake_case shape, leaving out times that are None", () => {
    const full = decodeRecordOrThrow({
      ...baseRecord,
      started_at: "2024-10-15T02:21:23.534Z",
      finished_at: "2024-10-15T02:21:25.588Z"
    })
    expect(encodeRecord(full)).toStrictEqual({
      ...baseRecord,
      started_at: "2024-10-15T02:21:23.534Z",
      finished_at: "2024-10-15T02:21:25.588Z"
    })
    const waiting = decodeRecordOrThrow({ ...baseRecord, status: "waiting", started_at: null, finished_at: "" })
    expect(encodeRecord(waiting)).toStrictEqual({ ...baseRecord, status: "waiting" })
  })

  it("encodes a record built in code", () => {
    const record = new OfflineKeyAnalysisRecord({
      id: "t",
      status: { _tag: "Unrecognized", status: "paused" },
      createdAt: utc("2024-01-02T03:04:05.006Z"),
      startedAt: Option.some(utc("2024-01-02T03:04:06Z")),
      finishedAt: Option.none()
    })
    expect(encodeRecord(record)).toStrictEqual({
      id: "t",
      status: "paused",
      created_at: "2024-01-02T03:04:05.006Z",
      started_at: "2024-01-02T03:04:06.000Z"
    })
  })

  it.each([
    ["2024-10-15T02:21:18.669", "2024-10-15T02:21:18.669Z"],
    ["2024-10-15T02:21:18", "2024-10-15T02:21:18.000Z"],
    ["2024-10-15 02:21:18", "2024-10-15T02:21:18.000Z"],
    ["2024-10-15T02:21", "2024-10-15T02:21:00.000Z"]
  ])("reads the zone-less time %s as UTC", (wire, iso) => {
    const record = decodeRecordOrThrow({ ...baseRecord, created_at: wire, started_at: wire })
    expect(DateTime.formatIso(record.createdAt)).toBe(iso)
    expect(record.startedAt).toEqual(Option.some(utc(iso)))
  })

  it.each([
    ["2024-10-15T10:21:18.669+08:00", "2024-10-15T02:21:18.669Z"],
    ["2024-10-14T21:21:18.669-05:00", "2024-10-15T02:21:18.669Z"],
    ["2024-10-15T02:21:18.669+00:00", "2024-10-15T02:21:18.669Z"]
  ])("honours the zone offset of %s", (wire, iso) => {
    expect(DateTime.formatIso(decodeRecordOrThrow({ ...baseRecord, created_at: wire }).createdAt)).toBe(iso)
  })

  it.each([
    "not a date",
    "2024-10-15",
    "2024-13-01T00:00:00Z",
    "2024-10-32T00:00:00Z",
    "2024-10-15T25:00:00Z",
    "2024-10-15T02:60:00Z",
    "2024-10-15T02:21:18+99:99",
    " 2024-10-15T02:21:18Z",
    "2024-10-15T02:21:18Z ",
    "2024-10-15T02:21:18Z\n",
    "1728958878669",
    "Tue, 15 Oct 2024 02:21:18 GMT",
    "+002024-10-15T02:21:18Z",
    " "
  ])("rejects the invalid time %j in created_at and in started_at", (time) => {
    expect(Either.isLeft(decodeRecord({ ...baseRecord, created_at: time }))).toBe(true)
    expect(Either.isLeft(decodeRecord({ ...baseRecord, started_at: time }))).toBe(true)
    expect(Either.isLeft(decodeRecord({ ...baseRecord, finished_at: time }))).toBe(true)
  })

  // Date.parse rolls an impossible day of the month over into the next month: 2024-02-30 reads
  // as 2024-03-01. A time that names no real day is not a time the service wrote.
  it("rejects impossible calendar dates (2024-02-30, 2023-02-29, 2024-04-31, 2024-02-31)", () => {
    const accepted = [
      "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-04-31T00:00:00Z",
      "2024-02-31T12:00:00.000Z"
    ]
      .filter((time) => Either.isRight(decodeRecord({ ...baseRecord, created_at: time })))
    expect(accepted).toEqual([])
    // a real leap day is fine
    expect(Either.isRight(decodeRecord({ ...baseRecord, created_at: "2024-02-29T00:00:00Z" }))).toBe(true)
  })

  it.each([
    ["missing created_at", { id: "a", status: "success" }],
    ["null created_at", { ...baseRecord, created_at: null }],
    ["empty created_at", { ...baseRecord, created_at: "" }],
    ["numeric created_at", { ...baseRecord, created_at: 1728958878669 }],
    ["missing id", { status: "success", created_at: baseRecord.created_at }],
    ["numeric id", { ...baseRecord, id: 1 }],
    ["missing status", { id: "a", created_at: baseRecord.created_at }],
    ["null status", { ...baseRecord, status: null }],
    ["numeric started_at", { ...baseRecord, started_at: 0 }],
    ["object started_at", { ...baseRecord, finished_at: {} }],
    ["not an object", "record"],
    ["null", null]
  ])("fails to decode a record with %s", (_, input) => {
    expect(Either.isLeft(decodeRecord(input))).toBe(true)
  })

  it.prop("encode ∘ decode gives back a canonical wire record", [wireRecord], ([wire]) => {
    const decoded = decodeRecordOrThrow(wire)
    expect(encodeRecord(decoded)).toStrictEqual(wire)
    // and decoding again gives the same value (Equal-aware)
    expect(decodeRecordOrThrow(encodeRecord(decoded))).toEqual(decoded)
  }, { fastCheck: { numRuns: 200 } })

  it.prop(
    "null and \"\" times decode as absent ones",
    [wireRecord, fc.constantFrom(null, ""), fc.constantFrom(null, "")],
    ([wire, started, finished]) => {
      const { finished_at: _f, started_at: _s, ...rest } = wire
      const decoded = decodeRecordOrThrow({ ...rest, started_at: started, finished_at: finished })
      expect(decoded).toEqual(decodeRecordOrThrow(rest))
      expect(encodeRecord(decoded)).toStrictEqual(rest)
    },
    { fastCheck: { numRuns: 100 } }
  )

  it.prop("a time is decoded to its instant", [isoTime], ([time]) => {
    const decoded = decodeRecordOrThrow({ ...baseRecord, created_at: time })
    expect(DateTime.toEpochMillis(decoded.createdAt)).toBe(Date.parse(time))
  })
})

describe("ListOfflineKeyAnalysisTasksResponse", () => {
  const decodeOrThrow = (input: unknown): ListOfflineKeyAnalysisTasksResponse => {
    const result = decodeResponse(input)
    if (Either.isLeft(result)) throw new Error(`expected ${JSON.stringify(input)} to decode: ${result.left.message}`)
    return result.right
  }

  it("decodes the doc's example response", () => {
    const response = decodeOrThrow(docExample)
    expect(response).toBeInstanceOf(ListOfflineKeyAnalysisTasksResponse)
    expect(response).toEqual(
      new ListOfflineKeyAnalysisTasksResponse({
        instanceId: Option.some("5f9057b5-c330-4ee2-8138-7e69896eeec3"),
        total: 1,
        records: [
          new OfflineKeyAnalysisRecord({
            id: "858ee14c-2271-4489-8b82-7bda7459ae3e",
            status: "success",
            createdAt: utc("2024-10-15T02:21:18.669Z"),
            startedAt: Option.some(utc("2024-10-15T02:21:23.534Z")),
            finishedAt: Option.some(utc("2024-10-15T02:21:25.588Z"))
          })
        ]
      })
    )
    expect(encodeResponse(response)).toStrictEqual(docExample)
  })

  it.each([
    ["missing", {}],
    ["null", { records: null }]
  ])("reads %s records as an empty page", (_, records) => {
    const response = decodeOrThrow({ instance_id: "i", total: 3, ...records })
    expect(response.records).toEqual([])
    expect(response.total).toBe(3)
  })

  it.each([
    ["missing", {}],
    ["null", { instance_id: null }]
  ])("reads a %s instance_id as None", (_, instanceId) => {
    expect(decodeOrThrow({ total: 0, records: [], ...instanceId }).instanceId).toEqual(Option.none())
  })

  it("ignores unknown extra fields at the top level", () => {
    expect(decodeOrThrow({ total: 0, records: [], next_marker: "x", instanceId: "camel is not the wire key" }))
      .toEqual(decodeOrThrow({ total: 0, records: [] }))
  })

  it.each([
    ["missing total", { records: [] }],
    ["null total", { total: null }],
    ["string total", { total: "1" }],
    ["negative total", { total: -1 }],
    ["fractional total", { total: 1.5 }],
    ["unsafe total", { total: 2 ** 53 }],
    ["infinite total", { total: Number.POSITIVE_INFINITY }],
    ["NaN total", { total: Number.NaN }],
    ["numeric instance_id", { total: 0, instance_id: 5 }],
    ["records as an object", { total: 0, records: {} }],
    ["records as a string", { total: 0, records: "[]" }],
    ["a bad record", { total: 1, records: [{ ...baseRecord, created_at: "yesterday" }] }],
    ["a null record", { total: 1, records: [null] }],
    ["an array", [{ total: 0 }]],
    ["null", null],
    ["a string", "{\"total\":0}"]
  ])("fails to decode a response with %s", (_, input) => {
    expect(Either.isLeft(decodeResponse(input))).toBe(true)
  })

  it("encodes to the wire shape, leaving out a missing instance_id and keeping records", () => {
    expect(encodeResponse(decodeOrThrow({ total: 0 }))).toStrictEqual({ total: 0, records: [] })
  })

  it.prop("encode ∘ decode gives back a canonical wire page", [wirePage], ([wire]) => {
    const decoded = decodeOrThrow(wire)
    expect(encodeResponse(decoded)).toStrictEqual(wire)
    expect(decodeOrThrow(JSON.parse(JSON.stringify(encodeResponse(decoded))))).toEqual(decoded)
  }, { fastCheck: { numRuns: 200 } })
})
