/**
 * The comparison of two reports: interval arithmetic over what each report's lists say.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import type * as ReportComparison from "../ReportComparison.js"
import { minus, signed } from "./humanize.js"

type Report = OfflineKeyAnalysis.OfflineKeyAnalysisReport
type Amount = ReportComparison.Amount
type Listing = ReportComparison.Listing
type Presence = ReportComparison.Presence

/** @internal */
export const defaultTopKeys = 20

/** @internal */
export const defaultTopPrefixes = 20

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/** @internal */
export const exact = (value: number): Amount => ({ _tag: "Exact", value })

/** @internal */
export const bound = (atLeast: Option.Option<number>, atMost: Option.Option<number>): Amount => ({
  _tag: "Bound",
  atLeast,
  atMost
})

const lower = (amount: Amount): Option.Option<number> =>
  amount._tag === "Exact" ? Option.some(amount.value) : amount.atLeast

const upper = (amount: Amount): Option.Option<number> =>
  amount._tag === "Exact" ? Option.some(amount.value) : amount.atMost

const minusOption = (a: Option.Option<number>, b: Option.Option<number>): Option.Option<number> =>
  Option.zipWith(a, b, (x, y) => x - y)

/** @internal */
export const subtract = (after: Amount, before: Amount): Amount =>
  after._tag === "Exact" && before._tag === "Exact"
    ? exact(after.value - before.value)
    : bound(minusOption(lower(after), upper(before)), minusOption(upper(after), lower(before)))

/** @internal */
export const sureValue = (amount: Amount): number => {
  if (amount._tag === "Exact") return amount.value
  const atLeast = Option.getOrUndefined(amount.atLeast)
  const atMost = Option.getOrUndefined(amount.atMost)
  if (atLeast !== undefined && atLeast > 0) return atLeast
  if (atMost !== undefined && atMost < 0) return atMost
  return 0
}

const relative = (before: Amount, delta: Amount): Option.Option<number> =>
  before._tag === "Exact" && delta._tag === "Exact" && before.value !== 0
    ? Option.some(delta.value / before.value)
    : Option.none()

const amountChange = (before: Amount, after: Amount): ReportComparison.AmountChange => {
  const delta = subtract(after, before)
  return { before, after, delta, relative: relative(before, delta) }
}

const numberChange = (before: number, after: number): ReportComparison.NumberChange => ({
  before,
  after,
  delta: after - before,
  relative: before === 0 ? Option.none() : Option.some((after - before) / before)
})

const ratio = (bytes: number, keys: number): Option.Option<number> =>
  keys > 0 ? Option.some(bytes / keys) : Option.none()

const growth = (
  bytes: ReportComparison.NumberChange,
  keys: ReportComparison.NumberChange
): ReportComparison.Growth => {
  // Size per key before (or after, when there were no keys before): the more keys cost that much each.
  const sizeBefore = keys.before > 0 ? bytes.before / keys.before : keys.after > 0 ? bytes.after / keys.after : 0
  const fromKeyCount = keys.delta * sizeBefore
  // The rest, by construction, so that the two parts always add up to the change.
  return { fromKeyCount, fromKeySize: bytes.delta - fromKeyCount }
}

// ---------------------------------------------------------------------------------------------
// Listings
// ---------------------------------------------------------------------------------------------

const sum = (values: ReadonlyArray<number>): number => values.reduce((total, value) => total + value, 0)

const countsNoKeys = (report: Report): boolean =>
  Option.match(report.totalNum, {
    onSome: (num) => num === 0,
    onNone: () => report.typeNum.length > 0 && sum(report.typeNum.map((entry) => entry.num)) === 0
  })

const listingOf = (size: number, top: number, smallest: () => number, report: Report): Listing =>
  size >= top
    ? { _tag: "Truncated", listed: size, listSize: top, cutoff: smallest() }
    : size > 0 || countsNoKeys(report)
    ? { _tag: "Complete", listed: size }
    : { _tag: "Unlisted" }

/** @internal */
export const keyListing = (report: Report, top: number = defaultTopKeys): Listing =>
  listingOf(report.largestKeys.length, top, () => Math.min(...report.largestKeys.map((key) => key.bytes)), report)

/** @internal */
export const prefixListing = (report: Report, top: number = defaultTopPrefixes): Listing =>
  listingOf(
    report.largestKeyPrefixes.length,
    top,
    () => Math.min(...report.largestKeyPrefixes.map((prefix) => prefix.num)),
    report
  )

// What a report's complete type lists say of one type: an upper bound of any key set of that type.
const typeBytesBound = (report: Report, type: string): Option.Option<number> =>
  report.typeBytes.length > 0
    ? Option.some(report.typeBytes.find((entry) => entry.type === type)?.bytes ?? 0)
    : report.totalBytes

const typeNumBound = (report: Report, type: string): Option.Option<number> =>
  report.typeNum.length > 0
    ? Option.some(report.typeNum.find((entry) => entry.type === type)?.num ?? 0)
    : report.totalNum

const minOption = (a: Option.Option<number>, b: Option.Option<number>): Option.Option<number> =>
  Option.isNone(a) ? b : Option.isNone(b) ? a : Option.some(Math.min(a.value, b.value))

interface Side {
  readonly presence: Presence
  readonly bytes: Amount
  /** Elements for a key, keys for a prefix. */
  readonly count: Amount
}

const zero = exact(0)
const unbounded = bound(Option.some(0), Option.none())

const missingKey = (report: Report, listing: Listing, type: string): Side => {
  switch (listing._tag) {
    case "Complete":
      return { presence: { _tag: "Absent" }, bytes: zero, count: zero }
    case "Truncated":
      return {
        presence: { _tag: "BelowCutoff", listSize: listing.listSize, cutoff: listing.cutoff },
        // Keys are ranked by bytes: an unlisted one is at most the smallest listed.
        bytes: bound(Option.some(0), minOption(Option.some(listing.cutoff), typeBytesBound(report, type))),
        count: unbounded
      }
    case "Unlisted":
      return {
        presence: { _tag: "Unlisted" },
        bytes: bound(Option.some(0), typeBytesBound(report, type)),
        count: unbounded
      }
  }
}

const missingPrefix = (report: Report, listing: Listing, type: string): Side => {
  const bytes = bound(Option.some(0), typeBytesBound(report, type))
  switch (listing._tag) {
    case "Complete":
      return { presence: { _tag: "Absent" }, bytes: zero, count: zero }
    case "Truncated": {
      // Prefixes are ranked by key count, overall or per type (the service does not say which):
      // the smallest count listed for the same type bounds an unlisted prefix either way.
      const sameType = report.largestKeyPrefixes.filter((prefix) => prefix.type === type).map((prefix) => prefix.num)
      const cutoff = minOption(
        sameType.length > 0 ? Option.some(Math.min(...sameType)) : Option.none(),
        typeNumBound(report, type)
      )
      return Option.match(cutoff, {
        onNone: () => ({ presence: { _tag: "Unlisted" }, bytes, count: unbounded }),
        onSome: (cutoff) => ({
          presence: { _tag: "BelowCutoff", listSize: listing.listSize, cutoff },
          bytes,
          count: bound(Option.some(0), Option.some(cutoff))
        })
      })
    }
    case "Unlisted":
      return { presence: { _tag: "Unlisted" }, bytes, count: bound(Option.some(0), typeNumBound(report, type)) }
  }
}

const listed = { _tag: "Listed" } as const

const kindOf = (before: Side, after: Side, delta: Amount): ReportComparison.ChangeKind =>
  before.presence._tag !== "Listed"
    ? "new"
    : after.presence._tag !== "Listed"
    ? "gone"
    : sureValue(delta) > 0
    ? "grown"
    : sureValue(delta) < 0
    ? "shrunk"
    : "unchanged"

// Entries of either report by identity, in the order of `after` then those only in `before`.
const matched = <A>(
  before: ReadonlyArray<A>,
  after: ReadonlyArray<A>,
  identity: (entry: A) => string
): ReadonlyArray<readonly [identity: string, before: A | undefined, after: A | undefined, entry: A]> => {
  const index = (entries: ReadonlyArray<A>) => {
    const map = new Map<string, A>()
    // A repeated entry is the service's mistake: the first one counts.
    for (const entry of entries) if (!map.has(identity(entry))) map.set(identity(entry), entry)
    return map
  }
  const beforeById = index(before)
  const afterById = index(after)
  const result: Array<readonly [string, A | undefined, A | undefined, A]> = []
  for (const [id, entry] of afterById) result.push([id, beforeById.get(id), entry, entry])
  for (const [id, entry] of beforeById) if (!afterById.has(id)) result.push([id, entry, undefined, entry])
  return result
}

const bySureGrowth = <A extends { readonly bytes: ReportComparison.AmountChange }>(a: A, b: A): number =>
  sureValue(b.bytes.delta) - sureValue(a.bytes.delta) || sureValue(b.bytes.after) - sureValue(a.bytes.after)

const keyChanges = (
  before: Report,
  after: Report,
  listings: { readonly before: Listing; readonly after: Listing }
): ReadonlyArray<ReportComparison.KeyChange> =>
  matched(before.largestKeys, after.largestKeys, (key) => JSON.stringify([key.type, key.key])).map(
    ([, was, is, key]): ReportComparison.KeyChange => {
      const side = (report: Report, listing: Listing, entry: typeof was): Side =>
        entry === undefined
          ? missingKey(report, listing, key.type)
          : {
            presence: listed,
            bytes: exact(entry.bytes),
            count: Option.match(entry.numOfElem, { onNone: () => unbounded, onSome: exact })
          }
      const b = side(before, listings.before, was)
      const a = side(after, listings.after, is)
      const bytes = amountChange(b.bytes, a.bytes)
      return {
        key: key.key,
        type: key.type,
        kind: kindOf(b, a, bytes.delta),
        before: b.presence,
        after: a.presence,
        bytes,
        elements: amountChange(b.count, a.count)
      }
    }
  ).sort(bySureGrowth)

const prefixChanges = (
  before: Report,
  after: Report,
  listings: { readonly before: Listing; readonly after: Listing }
): ReadonlyArray<ReportComparison.PrefixChange> =>
  matched(
    before.largestKeyPrefixes,
    after.largestKeyPrefixes,
    (prefix) => JSON.stringify([prefix.type, prefix.keyPrefix])
  )
    .map(([, was, is, prefix]): ReportComparison.PrefixChange => {
      const side = (report: Report, listing: Listing, entry: typeof was): Side =>
        entry === undefined
          ? missingPrefix(report, listing, prefix.type)
          : { presence: listed, bytes: exact(entry.bytes), count: exact(entry.num) }
      const b = side(before, listings.before, was)
      const a = side(after, listings.after, is)
      const bytes = amountChange(b.bytes, a.bytes)
      return {
        keyPrefix: prefix.keyPrefix,
        type: prefix.type,
        kind: kindOf(b, a, bytes.delta),
        before: b.presence,
        after: a.presence,
        bytes,
        keys: amountChange(b.count, a.count),
        bytesPerKey: {
          before: was === undefined ? Option.none() : ratio(was.bytes, was.num),
          after: is === undefined ? Option.none() : ratio(is.bytes, is.num)
        }
      }
    })
    .sort(bySureGrowth)

const typeChanges = (before: Report, after: Report): ReadonlyArray<ReportComparison.TypeChange> => {
  const types = [
    ...new Set([before, after].flatMap((report) => [...report.typeBytes, ...report.typeNum].map((entry) => entry.type)))
  ]
  const bytesOf = (report: Report, type: string) => report.typeBytes.find((entry) => entry.type === type)?.bytes ?? 0
  const numOf = (report: Report, type: string) => report.typeNum.find((entry) => entry.type === type)?.num ?? 0
  return types.map((type) => {
    const bytes = numberChange(bytesOf(before, type), bytesOf(after, type))
    const keys = numberChange(numOf(before, type), numOf(after, type))
    return {
      type,
      bytes,
      keys,
      bytesPerKey: { before: ratio(bytes.before, keys.before), after: ratio(bytes.after, keys.after) },
      growth: growth(bytes, keys)
    }
  })
}

const totals = (before: Report, after: Report): ReportComparison.Totals => {
  const bytes = Option.zipWith(before.totalBytes, after.totalBytes, numberChange)
  const keys = Option.zipWith(before.totalNum, after.totalNum, numberChange)
  return {
    bytes,
    keys,
    bytesPerKey: {
      before: Option.flatten(Option.zipWith(before.totalBytes, before.totalNum, ratio)),
      after: Option.flatten(Option.zipWith(after.totalBytes, after.totalNum, ratio))
    },
    growth: Option.zipWith(bytes, keys, growth)
  }
}

const subjectOf = (report: Report): ReportComparison.Subject => ({
  taskId: report.id,
  instanceId: report.instanceId,
  nodeId: report.nodeId,
  finishedAt: report.finishedAt
})

const same = (a: Option.Option<string>, b: Option.Option<string>): Option.Option<boolean> =>
  Option.zipWith(a, b, (x, y) => x === y)

const orderOf = (before: Report, after: Report): ReportComparison.ReportComparison["order"] => {
  const when = (report: Report) => Option.orElse(report.finishedAt, () => report.startedAt)
  return Option.match(Option.zipWith(when(before), when(after), DateTime.lessThanOrEqualTo), {
    onNone: () => "unknown",
    onSome: (inOrder) => inOrder ? "chronological" : "reversed"
  })
}

/** @internal */
export const compareReports = (
  before: Report,
  after: Report,
  options?: ReportComparison.CompareOptions
): ReportComparison.ReportComparison => {
  const keyListings = {
    before: keyListing(before, options?.topKeys),
    after: keyListing(after, options?.topKeys)
  }
  const prefixListings = {
    before: prefixListing(before, options?.topPrefixes),
    after: prefixListing(after, options?.topPrefixes)
  }
  return {
    before,
    after,
    subjects: { before: subjectOf(before), after: subjectOf(after) },
    sameInstance: same(before.instanceId, after.instanceId),
    sameNode: same(before.nodeId, after.nodeId),
    order: orderOf(before, after),
    keyListing: keyListings,
    prefixListing: prefixListings,
    keys: keyChanges(before, after, keyListings),
    prefixes: prefixChanges(before, after, prefixListings),
    types: typeChanges(before, after),
    totals: totals(before, after)
  }
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

/** @internal */
export const changeLabel = (change: Pick<ReportComparison.KeyChange, "kind" | "before" | "after">): string => {
  switch (change.kind) {
    case "new":
      return change.before._tag === "BelowCutoff"
        ? `new in the top ${change.before.listSize}`
        : change.before._tag === "Unlisted"
        ? "newly listed"
        : "new"
    case "gone":
      return change.after._tag === "BelowCutoff"
        ? `dropped out of the top ${change.after.listSize}`
        : change.after._tag === "Unlisted"
        ? "no longer listed"
        : "gone"
    case "grown":
      return "grew"
    case "shrunk":
      return "shrank"
    case "unchanged":
      return "unchanged"
  }
}

/** @internal */
export const amountLabel = (amount: Amount, format: (value: number) => string): string => {
  if (amount._tag === "Exact") return format(amount.value)
  const atLeast = Option.getOrUndefined(amount.atLeast)
  const atMost = Option.getOrUndefined(amount.atMost)
  if (atMost !== undefined) {
    return atLeast === undefined || atLeast === 0
      ? `at most ${format(atMost)}`
      : `between ${format(atLeast)} and ${format(atMost)}`
  }
  return atLeast === undefined ? "unknown" : `at least ${format(atLeast)}`
}

/** @internal */
export const deltaLabel = (delta: Amount, format: (value: number) => string): string => {
  const sign = signed(format)
  if (delta._tag === "Exact") return sign(delta.value)
  const atLeast = Option.getOrUndefined(delta.atLeast)
  const atMost = Option.getOrUndefined(delta.atMost)
  if (atLeast !== undefined && atLeast > 0) return `at least ${sign(atLeast)}`
  // A sure fall: "−1.2 MiB or more" (of a fall), which "at least −1.2 MiB" would leave ambiguous.
  if (atMost !== undefined && atMost < 0) return `${minus}${format(-atMost)} or more`
  if (atLeast !== undefined && atMost !== undefined) return `between ${sign(atLeast)} and ${sign(atMost)}`
  if (atLeast !== undefined) return `≥ ${sign(atLeast)}`
  if (atMost !== undefined) return `≤ ${sign(atMost)}`
  return "unknown"
}
