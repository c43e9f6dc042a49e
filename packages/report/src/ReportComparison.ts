/**
 * What changed between two offline key analysis reports, without inventing numbers.
 *
 * The service lists only the biggest keys and the prefixes with the most keys (a top-N list), so a
 * key missing from one report is not a key of zero bytes: it is *below that report's cut-off*, at
 * most the smallest entry listed. Every figure that depends on an entry of such a list is therefore
 * an {@link Amount}: `Exact` when both reports state it, `Bound` (an interval) when one of them only
 * bounds it. The per-type figures and the totals are exact: the service lists every type.
 *
 * When is a missing entry really absent? A list shorter than its top-N size (see
 * {@link CompareOptions}) holds everything the service found, so an entry missing from it is
 * absent: zero, exactly. A full list is cut off. An empty list while the report counts keys says
 * nothing: the entry is bounded only by its type's totals.
 *
 * @since 0.1.0
 */
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import type * as DateTime from "effect/DateTime"
import type * as Option from "effect/Option"
import * as internal from "./internal/comparison.js"

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

/**
 * A figure both reports state.
 *
 * @since 0.1.0
 * @category models
 */
export interface Exact {
  readonly _tag: "Exact"
  readonly value: number
}

/**
 * A figure known only to lie in an interval; `None` is an open end. A key new in the top 20 grew by
 * `atLeast` (its size now minus the cut-off before) and `atMost` (its size now).
 *
 * @since 0.1.0
 * @category models
 */
export interface Bound {
  readonly _tag: "Bound"
  readonly atLeast: Option.Option<number>
  readonly atMost: Option.Option<number>
}

/**
 * An exact figure or an honest interval, never an invented number.
 *
 * @since 0.1.0
 * @category models
 */
export type Amount = Exact | Bound

/**
 * @since 0.1.0
 * @category constructors
 */
export const exact: (value: number) => Amount = internal.exact

/**
 * @since 0.1.0
 * @category constructors
 */
export const bound: (atLeast: Option.Option<number>, atMost: Option.Option<number>) => Amount = internal.bound

/**
 * @since 0.1.0
 * @category predicates
 */
export const isExact = (amount: Amount): amount is Exact => amount._tag === "Exact"

/**
 * The interval difference `after − before`: exact only when both are exact.
 *
 * @since 0.1.0
 * @category combinators
 */
export const subtract: (after: Amount, before: Amount) => Amount = internal.subtract

// ---------------------------------------------------------------------------------------------
// Where an entry stands in a report
// ---------------------------------------------------------------------------------------------

/**
 * How an entry appears in one report:
 *
 * - `Listed`: in the list, with its figures;
 * - `Absent`: not in a list that holds everything (shorter than its top-N size): zero;
 * - `BelowCutoff`: not in a full top-N list: at most `cutoff`, the smallest figure listed (bytes
 *   for keys, key count for prefixes);
 * - `Unlisted`: the report lists nothing while it counts keys: bounded by the type's totals only.
 *
 * @since 0.1.0
 * @category models
 */
export type Presence =
  | { readonly _tag: "Listed" }
  | { readonly _tag: "Absent" }
  | { readonly _tag: "BelowCutoff"; readonly listSize: number; readonly cutoff: number }
  | { readonly _tag: "Unlisted" }

/**
 * What one of the lists of a report says of the entries it does not hold (see {@link Presence}).
 *
 * @since 0.1.0
 * @category models
 */
export type Listing =
  | { readonly _tag: "Complete"; readonly listed: number }
  | { readonly _tag: "Truncated"; readonly listed: number; readonly listSize: number; readonly cutoff: number }
  | { readonly _tag: "Unlisted" }

/**
 * `new`: listed only after; `gone`: listed only before; otherwise by the sign of the bytes' change.
 *
 * @since 0.1.0
 * @category models
 */
export type ChangeKind = "new" | "gone" | "grown" | "shrunk" | "unchanged"

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

/**
 * A figure of an entry before and after. `relative` is `delta / before`, present only when both
 * are exact and `before` is not zero.
 *
 * @since 0.1.0
 * @category models
 */
export interface AmountChange {
  readonly before: Amount
  readonly after: Amount
  readonly delta: Amount
  readonly relative: Option.Option<number>
}

/**
 * A figure both reports state exactly.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumberChange {
  readonly before: number
  readonly after: number
  readonly delta: number
  readonly relative: Option.Option<number>
}

/**
 * Bytes per key before and after (`None` where there are no keys): a rising ratio is value bloat,
 * a flat ratio under growing bytes is a key leak.
 *
 * @since 0.1.0
 * @category models
 */
export interface BytesPerKey {
  readonly before: Option.Option<number>
  readonly after: Option.Option<number>
}

/**
 * A change of bytes split in two exact parts that add up to it: what more (or fewer) keys explain
 * at the old size per key, and what the change of size per key explains for the keys there are now.
 *
 * @since 0.1.0
 * @category models
 */
export interface Growth {
  readonly fromKeyCount: number
  readonly fromKeySize: number
}

/**
 * One key of either report, matched by name and type.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyChange {
  readonly key: string
  readonly type: string
  readonly kind: ChangeKind
  readonly before: Presence
  readonly after: Presence
  readonly bytes: AmountChange
  /** Elements (1 for a string); an unlisted key's count is unknown. */
  readonly elements: AmountChange
}

/**
 * One prefix of either report, matched by prefix and type.
 *
 * @since 0.1.0
 * @category models
 */
export interface PrefixChange {
  readonly keyPrefix: string
  readonly type: string
  readonly kind: ChangeKind
  readonly before: Presence
  readonly after: Presence
  readonly bytes: AmountChange
  /** The number of keys that carry the prefix. */
  readonly keys: AmountChange
  readonly bytesPerKey: BytesPerKey
}

/**
 * One data type (`string`, `list`, `set`, `zset`, `hash`): exact, the service lists every type
 * (a type missing from a report's lists has no keys there).
 *
 * @since 0.1.0
 * @category models
 */
export interface TypeChange {
  readonly type: string
  readonly bytes: NumberChange
  readonly keys: NumberChange
  readonly bytesPerKey: BytesPerKey
  readonly growth: Growth
}

/**
 * The report's own totals (`totalBytes`, `totalNum`), when both reports have them.
 *
 * @since 0.1.0
 * @category models
 */
export interface Totals {
  readonly bytes: Option.Option<NumberChange>
  readonly keys: Option.Option<NumberChange>
  readonly bytesPerKey: BytesPerKey
  readonly growth: Option.Option<Growth>
}

/**
 * Which instance and node a report is of, and when it finished.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subject {
  readonly taskId: Option.Option<string>
  readonly instanceId: Option.Option<string>
  readonly nodeId: Option.Option<string>
  readonly finishedAt: Option.Option<DateTime.Utc>
}

/**
 * The comparison of two reports.
 *
 * - `sameInstance` / `sameNode`: `None` when a report does not say; `Some(false)` means the figures
 *   are of different data and their changes are no growth.
 * - `order`: `reversed` when `before` finished after `after`.
 * - `keys`: from the largest sure growth (the lower end of the bytes' change) to the largest sure
 *   shrinkage; `prefixes` likewise; `types` in the order of the reports.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportComparison {
  readonly before: OfflineKeyAnalysis.OfflineKeyAnalysisReport
  readonly after: OfflineKeyAnalysis.OfflineKeyAnalysisReport
  readonly subjects: { readonly before: Subject; readonly after: Subject }
  readonly sameInstance: Option.Option<boolean>
  readonly sameNode: Option.Option<boolean>
  readonly order: "chronological" | "reversed" | "unknown"
  readonly keyListing: { readonly before: Listing; readonly after: Listing }
  readonly prefixListing: { readonly before: Listing; readonly after: Listing }
  readonly keys: ReadonlyArray<KeyChange>
  readonly prefixes: ReadonlyArray<PrefixChange>
  readonly types: ReadonlyArray<TypeChange>
  readonly totals: Totals
}

/**
 * The top-N sizes of the service's lists: a list with fewer entries holds everything. The
 * defaults, 20 and 20, are what the DCS console shows ("top 20"); pass yours if your service lists
 * more.
 *
 * @since 0.1.0
 * @category models
 */
export interface CompareOptions {
  readonly topKeys?: number | undefined
  readonly topPrefixes?: number | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultTopKeys: number = internal.defaultTopKeys

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultTopPrefixes: number = internal.defaultTopPrefixes

/**
 * Compares two reports: every key and prefix listed in either, every type, and the totals.
 *
 * @since 0.1.0
 * @category comparing
 */
export const compareReports: (
  before: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  after: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options?: CompareOptions
) => ReportComparison = internal.compareReports

/**
 * What a list says of the entries it does not hold; `top` is its top-N size.
 *
 * @since 0.1.0
 * @category comparing
 */
export const keyListing: (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport, top?: number) => Listing =
  internal.keyListing

/**
 * @since 0.1.0
 * @category comparing
 */
export const prefixListing: (report: OfflineKeyAnalysis.OfflineKeyAnalysisReport, top?: number) => Listing =
  internal.prefixListing

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

/**
 * The kind of a change in words: `new in the top 20` (it was below the cut-off before), `new`
 * (it was absent), `dropped out of the top 20`, `gone`, `grew`, `shrank`, `unchanged`.
 *
 * @since 0.1.0
 * @category labels
 */
export const changeLabel: (change: Pick<KeyChange, "kind" | "before" | "after">) => string = internal.changeLabel

/**
 * An amount in words with `format` for the numbers: `1.2 MiB`; a bound `at most 3.0 MiB`,
 * `between 1.0 MiB and 3.0 MiB`, `unknown`.
 *
 * @since 0.1.0
 * @category labels
 */
export const amountLabel: (amount: Amount, format: (value: number) => string) => string = internal.amountLabel

/**
 * A change in words, signed: `+1.2 MiB`, `at least +1.2 MiB`, `at least −512.0 KiB` (shrank by
 * at least that much), `between −1.0 MiB and +2.0 MiB`, `unknown`.
 *
 * @since 0.1.0
 * @category labels
 */
export const deltaLabel: (delta: Amount, format: (value: number) => string) => string = internal.deltaLabel

/**
 * The value a chart draws for an amount: the exact value, or the end of the interval nearest zero
 * (what is sure), `0` when the interval holds zero.
 *
 * @since 0.1.0
 * @category labels
 */
export const sureValue: (amount: Amount) => number = internal.sureValue
