import { OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Humanize from "@effect-dcs/report/Humanize"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import { assert, describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import { report, reportOf, truth } from "./support/arbitraries.js"
import * as Fixtures from "./support/fixtures.js"

const top = { topKeys: 5, topPrefixes: 5 }
const MiB = 1024 * 1024

const keyId = (change: { readonly type: string; readonly key: string }) => `${change.type}/${change.key}`
const prefixId = (change: { readonly type: string; readonly keyPrefix: string }) => `${change.type}/${change.keyPrefix}`

const negate = (amount: ReportComparison.Amount): ReportComparison.Amount =>
  amount._tag === "Exact"
    ? ReportComparison.exact(0 - amount.value)
    : ReportComparison.bound(
      Option.map(amount.atMost, (value) => 0 - value),
      Option.map(amount.atLeast, (value) => 0 - value)
    )

const opposite: Record<ReportComparison.ChangeKind, ReportComparison.ChangeKind> = {
  new: "gone",
  gone: "new",
  grown: "shrunk",
  shrunk: "grown",
  unchanged: "unchanged"
}

const contains = (amount: ReportComparison.Amount, value: number): boolean =>
  amount._tag === "Exact"
    ? amount.value === value
    : Option.getOrElse(amount.atLeast, () => -Infinity) <= value &&
      value <= Option.getOrElse(amount.atMost, () => Infinity)

describe("ReportComparison", () => {
  describe("properties", () => {
    it.prop("a report compared with itself has no change", [report], ([report]) => {
      const comparison = ReportComparison.compareReports(report, report, top)
      for (const change of [...comparison.keys, ...comparison.prefixes]) {
        assert.strictEqual(change.kind, "unchanged")
        assert.deepStrictEqual(change.bytes.delta, ReportComparison.exact(0))
      }
      for (const change of comparison.types) {
        assert.strictEqual(change.bytes.delta, 0)
        assert.strictEqual(change.keys.delta, 0)
      }
      assert.deepStrictEqual(Option.map(comparison.totals.bytes, (bytes) => bytes.delta), Option.some(0))
      assert.deepStrictEqual(comparison.sameNode, Option.some(true))
    })

    it.prop("swapping the reports negates every delta and flips every kind", [report, report], ([a, b]) => {
      const forward = ReportComparison.compareReports(a, b, top)
      const backward = ReportComparison.compareReports(b, a, top)
      const backwardKeys = new Map(backward.keys.map((change) => [keyId(change), change]))
      assert.strictEqual(forward.keys.length, backward.keys.length)
      for (const change of forward.keys) {
        const other = backwardKeys.get(keyId(change))!
        assert.deepStrictEqual(other.bytes.delta, negate(change.bytes.delta))
        assert.strictEqual(other.kind, opposite[change.kind])
      }
      const backwardPrefixes = new Map(backward.prefixes.map((change) => [prefixId(change), change]))
      for (const change of forward.prefixes) {
        const other = backwardPrefixes.get(prefixId(change))!
        assert.deepStrictEqual(other.bytes.delta, negate(change.bytes.delta))
        assert.deepStrictEqual(other.keys.delta, negate(change.keys.delta))
      }
      for (const [i, change] of forward.types.entries()) {
        assert.strictEqual(backward.types[i]!.bytes.delta, -change.bytes.delta)
        assert.strictEqual(backward.types[i]!.keys.delta, -change.keys.delta)
      }
    })

    it.prop("the totals' change is the sum of the types' changes", [report, report], ([a, b]) => {
      const comparison = ReportComparison.compareReports(a, b, top)
      const sum = (f: (change: ReportComparison.TypeChange) => number) =>
        comparison.types.reduce((total, change) => total + f(change), 0)
      assert.deepStrictEqual(
        Option.map(comparison.totals.bytes, (c) => c.delta),
        Option.some(sum((c) => c.bytes.delta))
      )
      assert.deepStrictEqual(Option.map(comparison.totals.keys, (c) => c.delta), Option.some(sum((c) => c.keys.delta)))
      for (const change of comparison.types) {
        // The two parts of a growth add up to it (to rounding).
        expect(change.growth.fromKeyCount + change.growth.fromKeySize).toBeCloseTo(change.bytes.delta, 0)
      }
    })

    it.prop("an entry missing from a cut-off list is never exact", [report, report], ([a, b]) => {
      const comparison = ReportComparison.compareReports(a, b, top)
      for (const change of [...comparison.keys, ...comparison.prefixes]) {
        const bothStated = [change.before, change.after].every((presence) =>
          presence._tag === "Listed" || presence._tag === "Absent"
        )
        assert.strictEqual(ReportComparison.isExact(change.bytes.delta), bothStated, JSON.stringify(change))
      }
    })

    it.prop("every change holds the true change of the node's keys", [truth, truth], ([was, is]) => {
      const comparison = ReportComparison.compareReports(reportOf(was, 5), reportOf(is, 5), top)
      const bytesOf = (keys: typeof was, id: string) => keys.find((key) => keyId(key) === id)?.bytes ?? 0
      for (const change of comparison.keys) {
        const trueDelta = bytesOf(is, keyId(change)) - bytesOf(was, keyId(change))
        assert.isTrue(contains(change.bytes.delta, trueDelta), `${keyId(change)}: ${trueDelta} outside its change`)
        assert.isTrue(contains(change.bytes.before, bytesOf(was, keyId(change))))
      }
    })
  })

  describe("the sample week", () => {
    const comparison = ReportComparison.compareReports(Fixtures.before, Fixtures.after)
    const key = (name: string) => comparison.keys.find((change) => change.key === name)!
    const prefix = (name: string) => comparison.prefixes.find((change) => change.keyPrefix === name)!

    it("a key new in the top 20 grew by at least its size less the cut-off before, never an invented number", () => {
      const change = key("queue:exports")
      assert.strictEqual(change.kind, "new")
      assert.strictEqual(ReportComparison.changeLabel(change), "new in the top 20")
      const cutoff = Math.min(...Fixtures.before.largestKeys.map((key) => key.bytes))
      const size = Fixtures.after.largestKeys.find((key) => key.key === "queue:exports")!.bytes
      assert.deepStrictEqual(
        change.bytes.delta,
        ReportComparison.bound(Option.some(size - cutoff), Option.some(size))
      )
      assert.strictEqual(ReportComparison.deltaLabel(change.bytes.delta, Humanize.bytes), "at least +628.2 MiB")
      assert.deepStrictEqual(change.bytes.relative, Option.none())
    })

    it("a key that left the top 20 dropped out of it; one that stayed has an exact change", () => {
      const dropped = key("user:profile:51053")
      assert.strictEqual(dropped.kind, "gone")
      assert.strictEqual(ReportComparison.changeLabel(dropped), "dropped out of the top 20")
      assert.strictEqual(dropped.bytes.delta._tag, "Bound")
      const drained = key("queue:webhooks")
      assert.strictEqual(drained.kind, "shrunk")
      assert.strictEqual(ReportComparison.deltaLabel(drained.bytes.delta, Humanize.bytes), "\u2212758.7 MiB")
    })

    it("orders keys from the largest sure growth", () => {
      assert.deepStrictEqual(comparison.keys.slice(0, 2).map((change) => change.key), [
        "queue:exports",
        "queue:notifications"
      ])
      assert.strictEqual(comparison.keys.at(-1)!.key, "queue:webhooks")
    })

    it("a prefix list shorter than 20 is complete: a new prefix is new, exactly", () => {
      const change = prefix("export:job:")
      assert.strictEqual(ReportComparison.changeLabel(change), "new")
      assert.deepStrictEqual(change.keys.delta, ReportComparison.exact(48_311))
    })

    it("tells a key leak (more keys, same size each) from value bloat (bigger keys)", () => {
      const sessions = prefix("session:")
      const perKey = (c: ReportComparison.PrefixChange) =>
        Option.getOrThrow(c.bytesPerKey.after) / Option.getOrThrow(c.bytesPerKey.before)
      expect(perKey(sessions)).toBeCloseTo(1, 0)
      assert.isAbove(sessions.keys.relative.pipe(Option.getOrThrow), 0.5)
      const cache = prefix("cache:product:")
      assert.isAbove(perKey(cache), 2)
    })

    it("says when the reports are of different nodes", () => {
      const other = new OfflineKeyAnalysisReport({ ...Fixtures.after, nodeId: Option.some("another-node") })
      const across = ReportComparison.compareReports(Fixtures.before, other)
      assert.deepStrictEqual(across.sameNode, Option.some(false))
      assert.deepStrictEqual(across.sameInstance, Option.some(true))
      assert.deepStrictEqual(across.subjects.after.nodeId, Option.some("another-node"))
      assert.strictEqual(ReportComparison.compareReports(Fixtures.after, Fixtures.before).order, "reversed")
      assert.strictEqual(comparison.order, "chronological")
    })

    it("an empty report is complete: every key of the other is new, exactly", () => {
      const fromEmpty = ReportComparison.compareReports(Fixtures.empty, Fixtures.before)
      assert.deepStrictEqual(fromEmpty.keyListing.before, { _tag: "Complete", listed: 0 })
      for (const change of fromEmpty.keys) {
        assert.strictEqual(ReportComparison.changeLabel(change), "new")
        assert.isTrue(ReportComparison.isExact(change.bytes.delta))
      }
    })
  })

  describe("labels", () => {
    const b = (lo: number | undefined, hi: number | undefined) =>
      ReportComparison.bound(Option.fromNullable(lo), Option.fromNullable(hi))
    it("says what is known and no more", () => {
      const label = (amount: ReportComparison.Amount) => ReportComparison.deltaLabel(amount, Humanize.bytes)
      assert.strictEqual(label(ReportComparison.exact(1.2 * MiB)), "+1.2 MiB")
      assert.strictEqual(label(ReportComparison.exact(0)), "±0 B")
      assert.strictEqual(label(b(1.2 * MiB, 3 * MiB)), "at least +1.2 MiB")
      assert.strictEqual(label(b(-3 * MiB, -1 * MiB)), "\u22121.0 MiB or more")
      assert.strictEqual(label(b(-1 * MiB, 2 * MiB)), "between \u22121.0 MiB and +2.0 MiB")
      assert.strictEqual(label(b(undefined, undefined)), "unknown")
      assert.strictEqual(ReportComparison.amountLabel(b(0, MiB), Humanize.bytes), "at most 1.0 MiB")
    })
  })
})
