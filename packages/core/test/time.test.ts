import { describe, expect, it } from "@effect/vitest"
import { DateTime, Equal, FastCheck as fc, Hash } from "effect"
import { utcFromMillis } from "../src/internal/time.js"

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

  it("has the prototype, own properties and descriptors of unsafeMake's value", () => {
    const ours = utcFromMillis(1_728_958_878_669)
    const theirs = DateTime.unsafeMake(1_728_958_878_669)
    expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(theirs))
    expect(Object.getOwnPropertyDescriptors(ours)).toEqual(Object.getOwnPropertyDescriptors(theirs))
    expect(ours).toStrictEqual(theirs)
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
