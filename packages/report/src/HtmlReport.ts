/**
 * A report, a comparison, an instance analysed shard by shard, or a fleet, as one self-contained
 * HTML page.
 *
 * The page needs nothing else: inline CSS, no script that runs, no request (a strict
 * Content-Security-Policy says so), light and dark colour schemes, readable printed. Keys are
 * untrusted and always escaped. The report's own data (the service's JSON) is embedded in
 * `<script type="application/json" id="effect-dcs-data">`, so a saved page can be read back with
 * {@link readEmbedded} and compared later.
 *
 * The renderer takes a small view model ({@link View}): a new kind of page is a new member.
 *
 * @since 0.1.0
 */
import type * as DcsInstance from "@effect-dcs/core/DcsInstance"
import type * as Fleet from "@effect-dcs/core/Fleet"
import type * as InstanceAnalysis from "@effect-dcs/core/InstanceAnalysis"
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as internal from "./internal/html.js"
import type * as ReportComparison from "./ReportComparison.js"

/**
 * One shard of an instance (a later analysis of a whole cluster is made of several).
 *
 * @since 0.1.0
 * @category models
 */
export interface ShardSummary {
  readonly name: string
  readonly bytes: number
  readonly keys: Option.Option<number>
}

/**
 * The page of one report; with `shards`, a section with a bar per shard and the skew (the
 * largest shard over the mean).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReportView {
  readonly _tag: "Report"
  readonly report: OfflineKeyAnalysis.OfflineKeyAnalysisReport
  readonly title?: string | undefined
  readonly shards?: ReadonlyArray<ShardSummary> | undefined
}

/**
 * The page of a comparison; `limit`: the most changed keys and prefixes shown (15 by default).
 *
 * @since 0.1.0
 * @category models
 */
export interface ComparisonView {
  readonly _tag: "Comparison"
  readonly comparison: ReportComparison.ReportComparison
  readonly title?: string | undefined
  readonly limit?: number | undefined
}

/**
 * The page of an instance analysed shard by shard (`DcsClient.analyzeInstance`): the merged
 * biggest keys with each key's shard and node, the prefixes and types summed across shards, and
 * a bar per shard with the skew (the largest shard over the mean), flagged above 1.5×. With
 * `instance`, the header names it and says its engine, version and status.
 *
 * @since 0.2.0
 * @category models
 */
export interface InstanceView {
  readonly _tag: "Instance"
  readonly analysis: InstanceAnalysis.InstanceAnalysis
  readonly instance?: DcsInstance.DcsInstance | undefined
  readonly title?: string | undefined
}

/**
 * The page of a fleet (`Fleet.summarizeFleet`): how many instances were analysed, unsupported,
 * skipped or failed; a row per instance with its outcome and why; the fleet's biggest keys and
 * prefixes with their instances.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetView {
  readonly _tag: "Fleet"
  readonly summary: Fleet.FleetSummary
  readonly title?: string | undefined
}

/**
 * What the renderer draws.
 *
 * @since 0.1.0
 * @category models
 */
export type View = ReportView | ComparisonView | InstanceView | FleetView

/**
 * The page of a view, as one HTML string.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render: (view: View) => string = internal.render

/**
 * The page of one report.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderReport = (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  options?: Omit<ReportView, "_tag" | "report">
): string => render({ ...options, _tag: "Report", report })

/**
 * The page of a comparison (see `ReportComparison.compareReports`).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderComparison = (
  comparison: ReportComparison.ReportComparison,
  options?: Omit<ComparisonView, "_tag" | "comparison">
): string => render({ ...options, _tag: "Comparison", comparison })

/**
 * The page of an instance analysed shard by shard.
 *
 * @since 0.2.0
 * @category rendering
 */
export const renderInstance = (
  analysis: InstanceAnalysis.InstanceAnalysis,
  options?: Omit<InstanceView, "_tag" | "analysis">
): string => render({ ...options, _tag: "Instance", analysis })

/**
 * The page of a fleet summary.
 *
 * @since 0.2.0
 * @category rendering
 */
export const renderFleet = (
  summary: Fleet.FleetSummary,
  options?: Omit<FleetView, "_tag" | "summary">
): string => render({ ...options, _tag: "Fleet", summary })

/**
 * The skew of shards of these sizes: the largest over the mean, 1 when there is nothing. The
 * pages flag a skew above {@link skewThreshold}.
 *
 * @since 0.2.0
 * @category utils
 */
export const skewOf: (bytes: ReadonlyArray<number>) => number = internal.skewOf

/**
 * The skew above which a page says the shards are uneven.
 *
 * @since 0.2.0
 * @category constants
 */
export const skewThreshold: number = internal.skewThreshold

/**
 * The Content-Security-Policy of every page: nothing may load or run but its inline styles.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentSecurityPolicy: string = internal.contentSecurityPolicy

/**
 * The id of the element that holds the embedded data.
 *
 * @since 0.1.0
 * @category constants
 */
export const dataElementId: string = internal.dataElementId

/**
 * The data a page embeds: the report, or both reports of a comparison, in the service's wire form;
 * the instance analysis (and the instance, when the page was given it); the fleet summary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddedData: Schema.Schema<
  | { readonly _tag: "Report"; readonly report: OfflineKeyAnalysis.OfflineKeyAnalysisReport }
  | {
    readonly _tag: "Comparison"
    readonly before: OfflineKeyAnalysis.OfflineKeyAnalysisReport
    readonly after: OfflineKeyAnalysis.OfflineKeyAnalysisReport
  }
  | {
    readonly _tag: "Instance"
    readonly analysis: InstanceAnalysis.InstanceAnalysis
    readonly instance?: DcsInstance.DcsInstance
  }
  | { readonly _tag: "Fleet"; readonly summary: Fleet.FleetSummary },
  typeof internal.EmbeddedData.Encoded
> = internal.EmbeddedData

/**
 * @since 0.1.0
 * @category models
 */
export type EmbeddedData = typeof EmbeddedData.Type

/**
 * A page without embedded data (`Missing`: not a page of this package), or with data that does
 * not decode (`Invalid`).
 *
 * @since 0.1.0
 * @category errors
 */
export class EmbeddedDataError extends Schema.TaggedError<EmbeddedDataError>()("EmbeddedDataError", {
  reason: Schema.Literal("Missing", "Invalid"),
  detail: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return this.reason === "Missing"
      ? `This HTML holds no report data (${this.detail}): was it made by @effect-dcs/report?`
      : `The report data of this HTML does not decode: ${this.detail}`
  }
}

/**
 * The data embedded in a page made by {@link render}: read a saved report back, e.g. to compare
 * it with a newer one.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readEmbedded = (html: string): Either.Either<EmbeddedData, EmbeddedDataError> => {
  const json = internal.embeddedJson(html)
  return json === undefined
    ? Either.left(new EmbeddedDataError({ reason: "Missing", detail: `no #${internal.dataElementId}` }))
    : Either.mapLeft(
      internal.decodeEmbedded(json),
      (error) => new EmbeddedDataError({ reason: "Invalid", detail: error.message })
    )
}
