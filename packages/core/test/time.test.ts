import { describe, expect, it } from "@effect/vitest"
import { DateTime, Equal, FastCheck as fc, Hash } from "effect"
import { parseMillis, utcFromMillis } from "../src/internal/time.js"

// utcFromMillis builds DateTime.Utc values without DateTime.unsafeMake: they must be the same
// values to Effect and to anyone looking at them.

const validMillis = fc.integer({ min: -8_000_000_000_000_000, max: 8_000_000_000_000_000 })

describe("utcFromMillis", () => {
  it("is a DateTime.Utc equal to unsafeMake's, whatever the epoch", () =>
    fc.assert(fc.property(validMillis, (millis) => {
      const ours = utcFromMillis(millis)
      const theirs = DateTime.unsafeMake(millis)
      expect(DateTime.isDateTime(ours)).toBe(true)
      expect(DateTime.isUtc(ours)).toBe(true)
      expect(ours._tag).toBe("Utc")
      expect(Equal.equals(ours, theirs)).toBe(true)
      expect(Equal.equals(theirs, ours)).toBe(true)
      expect(Hash.hash(ours)).toBe(Hash.hash(theirs))
      expect(DateTime.formatIso(ours)).toBe(DateTime.formatIso(theirs))
      expect(DateTime.toEpochMillis(ours)).toBe(millis)
      expect(String(ours)).toBe(String(theirs))
      expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs))
    })))

  it("inherits Effect's Utc prototype and shows the same properties as unsafeMake's value", () => {
    const ours = utcFromMillis(1_728_958_878_669)
    const theirs = DateTime.unsafeMake(1_728_958_878_669)
    expect(Object.getPrototypeOf(theirs).isPrototypeOf(ours)).toBe(true)
    expect(Object.keys(ours)).toEqual(Object.keys(theirs))
    expect({ ...ours }).toEqual({ ...theirs })
    expect(ours).toStrictEqual(theirs)
    // Once Effect has computed the calendar parts, the values hold the same own properties.
    DateTime.toPartsUtc(ours)
    DateTime.toPartsUtc(theirs)
    expect(Object.getOwnPropertyDescriptors(ours)).toEqual(Object.getOwnPropertyDescriptors(theirs))
  })

  it("computes and caches its calendar parts as Effect's own values do", () => {
    const ours = utcFromMillis(1_728_958_878_669)
    const theirs = DateTime.unsafeMake(1_728_958_878_669)
    expect(DateTime.toPartsUtc(ours)).toEqual(DateTime.toPartsUtc(theirs))
    expect(DateTime.getPartUtc(ours, "day")).toBe(15)
    // The cached parts stay out of sight, as on Effect's values.
    expect(Object.keys(ours)).toEqual(Object.keys(theirs))
    expect(DateTime.formatIso(DateTime.add(ours, { days: 1 }))).toBe("2024-10-16T02:21:18.669Z")
    expect(Equal.equals(DateTime.startOf(ours, "day"), DateTime.startOf(theirs, "day"))).toBe(true)
  })
})

describe("parseMillis", () => {
  // Every instant of years 0 to 9999 written as the service writes times.
  const canonical = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }).map((millis) =>
    new Date(millis).toISOString()
  )

  it("reads the service's shape as Date.parse does, whatever the instant", () =>
    fc.assert(
      fc.property(canonical, (text) => {
        expect(parseMillis(text)).toBe(Date.parse(text))
      }),
      { numRuns: 5_000 }
    ))

  it("refuses days the month does not have", () => {
    expect(parseMillis("2023-02-29T00:00:00.000Z")).toBeUndefined()
    expect(parseMillis("2024-02-30T00:00:00.000Z")).toBeUndefined()
    expect(parseMillis("2100-02-29T00:00:00.000Z")).toBeUndefined()
    expect(parseMillis("2024-04-31T12:00:00.000Z")).toBeUndefined()
    expect(parseMillis("2024-02-29T23:59:59.999Z")).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999))
    expect(parseMillis("2000-02-29T00:00:00.000Z")).toBe(Date.UTC(2000, 1, 29))
    expect(parseMillis("2024-12-31T00:00:00.000Z")).toBe(Date.UTC(2024, 11, 31))
  })

  it("refuses what is not a time of day", () => {
    for (const text of ["2024-10-15T25:00:00.000Z", "2024-10-15T02:60:00.000Z", "2024-10-15T02:21:60.000Z"]) {
      expect(parseMillis(text)).toBeUndefined()
    }
  })
})
