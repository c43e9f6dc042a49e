import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { decodeListResponse } from "../src/internal/decodeList.js"
import { ListOfflineKeyAnalysisTasksResponse } from "../src/OfflineKeyAnalysis.js"
import { docExample, isoTime, knownStatuses, wireRecord } from "./utils/wire.js"

// The fast decoder must be indistinguishable from the Schema: same successes with equal values,
// same failures.

const decodeSchema = Schema.decodeUnknownEither(ListOfflineKeyAnalysisTasksResponse)
const encode = Schema.encodeSync(ListOfflineKeyAnalysisTasksResponse)

const expectAgreement = (input: unknown) => {
  const fast = decodeListResponse(input)
  const slow = decodeSchema(input)
  if (Either.isRight(slow)) {
    expect(fast, `the Schema accepts ${safeShow(input)}`).toEqual(Either.right(slow.right))
    const value = Either.getOrThrow(fast)
    expect(value).toBeInstanceOf(ListOfflineKeyAnalysisTasksResponse)
    expect(encode(value)).toStrictEqual(encode(slow.right))
  } else {
    expect(Either.isLeft(fast), `the Schema rejects ${safeShow(input)}`).toBe(true)
    if (Either.isLeft(fast)) expect(fast.left.length).toBeGreaterThan(0)
  }
  return Either.isRight(slow)
}

const safeShow = (u: unknown): string => {
  try {
    return JSON.stringify(
      u,
      (_, v) => v === undefined ? "<undefined>" : typeof v === "number" && !Number.isFinite(v) ? String(v) : v
    )
  } catch {
    return String(u)
  }
}

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 })

const oddTime = fc.constantFrom(
  "",
  " ",
  "null",
  "2024-10-15",
  "2024-10-15T02:21",
  "2024-10-15T02:21Z",
  "2024-10-15 02:21:18",
  "2024-10-15t02:21:18z",
  "2024-10-15T02:21:18.1234567890Z",
  "2024-10-15T02:21:18.123456789+08:00",
  "2024-10-15T02:21:18+0800",
  "2024-10-15T02:21:18-00:00",
  "2024-10-15T24:00:00Z",
  "2024-10-15T25:00:00Z",
  "2024-13-01T00:00:00Z",
  "2024-02-30T00:00:00Z",
  "2024-10-15T02:21:18+99:99",
  " 2024-10-15T02:21:18Z",
  "2024-10-15T02:21:18Z\n",
  "1728958878669",
  "Tue, 15 Oct 2024 02:21:18 GMT",
  "+002024-10-15T02:21:18Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z"
)

/** An ISO time in one of the shapes a server might write. */
const timeVariant = fc.tuple(isoTime, fc.integer({ min: 0, max: 5 })).map(([iso, shape]) => {
  switch (shape) {
    case 0:
      return iso
    case 1:
      return iso.slice(0, -1) // zone-less
    case 2:
      return iso.replace("T", " ")
    case 3:
      return iso.slice(0, -1) + "+08:00"
    case 4:
      return iso.toLowerCase()
    default:
      return iso.slice(0, 19) + "Z"
  }
})

const timeValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: timeVariant, weight: 6 },
  { arbitrary: oddTime, weight: 4 },
  { arbitrary: fc.constantFrom(null, ""), weight: 3 },
  { arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 6 })), weight: 1 },
  { arbitrary: anyJson, weight: 1 }
)

const statusValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...knownStatuses), weight: 6 },
  { arbitrary: fc.string({ maxLength: 10 }), weight: 2 },
  { arbitrary: fc.constantFrom(null, 1, true, ["success"], { status: "success" }), weight: 1 }
)

const idValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.uuid(), weight: 6 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 2 },
  { arbitrary: fc.constantFrom(null, 0, 1.5, false, [], {}), weight: 1 }
)

const safeKey = fc.string({ maxLength: 12 }).filter((key) => key !== "__proto__")
const extraFields = fc.dictionary(safeKey, anyJson, { maxKeys: 3 })

const recordValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    // every field may be missing, corrupt or fine, plus unknown fields
    arbitrary: fc.tuple(
      extraFields,
      fc.record({
        id: idValue,
        status: statusValue,
        created_at: timeValue,
        started_at: timeValue,
        finished_at: timeValue
      }, { requiredKeys: [] })
    ).map(([extra, fields]) => ({ ...extra, ...fields })),
    weight: 6
  },
  { arbitrary: wireRecord, weight: 6 },
  { arbitrary: fc.constantFrom(null, "record", 7, [], [docExample]), weight: 1 },
  { arbitrary: fc.array(anyJson, { maxLength: 3 }), weight: 1 }
)

const totalValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.nat({ max: 1000 }), weight: 6 },
  { arbitrary: fc.nat(), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      -1,
      -0,
      0.5,
      1.0000001,
      2 ** 31,
      2 ** 53 - 1,
      2 ** 53,
      1e21,
      -(2 ** 53),
      Number.MAX_VALUE,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      "1",
      "",
      null,
      true,
      [1],
      { total: 1 }
    ),
    weight: 2
  },
  { arbitrary: fc.integer({ min: -1000, max: -1 }), weight: 1 },
  { arbitrary: fc.double(), weight: 1 }
)

const recordsValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.array(recordValue, { maxLength: 6 }), weight: 4 },
  { arbitrary: fc.array(wireRecord, { maxLength: 6 }), weight: 4 },
  { arbitrary: fc.constantFrom(null, {}, "[]", 0, { 0: docExample }), weight: 1 }
)

const instanceIdValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.uuid(), weight: 4 },
  { arbitrary: fc.constantFrom(null, "", 1, [], {}), weight: 1 }
)

const pageValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.tuple(
      extraFields,
      fc.record({ instance_id: instanceIdValue, total: totalValue, records: recordsValue }, {
        requiredKeys: []
      })
    ).map(([extra, fields]) => ({ ...extra, ...fields })),
    weight: 12
  },
  // mostly well-formed: every record fine, a fitting total
  {
    arbitrary: fc.record({
      instance_id: fc.uuid(),
      records: fc.array(wireRecord, { maxLength: 10 }),
      total: fc.nat({ max: 100 })
    }, { requiredKeys: ["total"] }),
    weight: 6
  },
  { arbitrary: fc.constantFrom(null, "page", 0, true, [], [docExample], docExample), weight: 1 },
  { arbitrary: anyJson, weight: 1 }
)

describe("decodeListResponse", () => {
  it("decodes the doc's example like the Schema", () => {
    expect(expectAgreement(docExample)).toBe(true)
  })

  it.prop("agrees with the Schema on arbitrary pages", [pageValue], ([input]) => {
    expectAgreement(input)
  }, { fastCheck: { numRuns: 1200 } })

  it.prop("agrees with the Schema on arbitrary pages after a JSON round trip", [pageValue], ([input]) => {
    expectAgreement(JSON.parse(JSON.stringify(input)))
  }, { fastCheck: { numRuns: 300 } })

  it("generates both accepted and rejected pages (the property is not vacuous)", () => {
    const samples = fc.sample(pageValue, { numRuns: 1000, seed: 42 })
    const accepted = samples.filter((input) => Either.isRight(decodeSchema(input))).length
    expect(accepted).toBeGreaterThan(200)
    expect(samples.length - accepted).toBeGreaterThan(200)
  })

  it.each([
    ["records: []", { total: 0, records: [] }],
    ["zone-less times", {
      total: 1,
      records: [{
        id: "a",
        status: "running",
        created_at: "2024-10-15T02:21:18.669",
        started_at: "2024-10-15 02:21:19"
      }]
    }],
    ["an unknown status", { total: 1, records: [{ id: "a", status: "paused", created_at: "2024-10-15T02:21:18Z" }] }],
    ["a total of -0", { total: -0 }],
    ["a total of 2^53 - 1", { total: 2 ** 53 - 1 }],
    ["a total of 2^53", { total: 2 ** 53 }],
    ["an impossible date", { total: 1, records: [{ id: "a", status: "success", created_at: "2024-02-30T00:00:00Z" }] }],
    ["a record that is an array", { total: 1, records: [[]] }],
    ["an empty instance_id", { total: 1, instance_id: "" }]
  ])("agrees with the Schema on %s", (_, input) => {
    expectAgreement(input)
  })

  // Not reachable from JSON.parse, but the decoder is a function of `unknown`: a time property
  // that is present and `undefined` (e.g. a page built in code) must be judged like the Schema does.
  it("agrees with the Schema on a time property present as undefined", () => {
    expectAgreement({
      total: 1,
      records: [{ id: "a", status: "waiting", created_at: "2024-10-15T02:21:18Z", started_at: undefined }]
    })
    expectAgreement({
      total: 1,
      records: [{ id: "a", status: "waiting", created_at: "2024-10-15T02:21:18Z", finished_at: undefined }]
    })
  })

  it("agrees with the Schema on other top-level properties present as undefined", () => {
    expectAgreement({ total: 0, instance_id: undefined, records: undefined })
    expectAgreement({ total: undefined })
  })
})
