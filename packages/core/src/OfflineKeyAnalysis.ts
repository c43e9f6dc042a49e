/**
 * Records of the DCS offline key analysis resource, as Schemas.
 *
 * The wire form is the service's snake_case JSON; the decoded form is camelCase with
 * `DateTime.Utc` times and `Option` for what the service may leave out.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as internalTime from "./internal/time.js"

/**
 * The four statuses the API documents for a task.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OfflineKeyAnalysisStatus = Schema.Literal("waiting", "running", "success", "failed").annotations({
  identifier: "OfflineKeyAnalysisStatus"
})

/**
 * @since 0.1.0
 * @category models
 */
export type OfflineKeyAnalysisStatus = typeof OfflineKeyAnalysisStatus.Type

/**
 * A status string that is none of the documented four.
 *
 * The service may add statuses; a record carrying one still decodes, and the type makes a
 * `switch` over the status handle it explicitly.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnrecognizedStatus {
  readonly _tag: "Unrecognized"
  readonly status: string
}

/**
 * Decodes a status string that is none of the documented four into an `UnrecognizedStatus`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnrecognizedStatus: Schema.Schema<UnrecognizedStatus, string> = Schema.transform(
  Schema.String,
  Schema.TaggedStruct("Unrecognized", { status: Schema.String }),
  {
    strict: true,
    decode: (status) => ({ _tag: "Unrecognized" as const, status }),
    encode: ({ status }) => status
  }
).annotations({ identifier: "UnrecognizedStatus" })

/**
 * The status of a task as the service reported it: one of the documented four, or an
 * `UnrecognizedStatus` carrying the raw string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskStatus = Schema.Union(OfflineKeyAnalysisStatus, UnrecognizedStatus).annotations({
  identifier: "TaskStatus"
})

/**
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = typeof TaskStatus.Type

/**
 * Whether a task has reached an end state (`success` or `failed`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFinished = (status: TaskStatus): status is "success" | "failed" =>
  status === "success" || status === "failed"

/**
 * The status as the service wrote it.
 *
 * @since 0.1.0
 * @category utils
 */
export const statusToString = (status: TaskStatus): string => typeof status === "string" ? status : status.status

/**
 * A time as the service writes it: ISO-8601, e.g. `2024-10-15T02:21:18.669Z`. A time with no
 * zone is read as UTC (the service's times are UTC), never as the machine's local time.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UtcTime: Schema.Schema<DateTime.Utc, string> = Schema.transformOrFail(
  Schema.String,
  Schema.DateTimeUtcFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      const millis = internalTime.parseMillis(input)
      return millis === undefined
        ? ParseResult.fail(
          new ParseResult.Type(ast, input, `Expected an ISO-8601 date-time, got ${JSON.stringify(input)}`)
        )
        : ParseResult.succeed(internalTime.utcFromMillis(millis))
    },
    encode: (dateTime) => ParseResult.succeed(DateTime.formatIso(dateTime))
  }
).annotations({ identifier: "UtcTime" })

const optionalTime = <Key extends string>(key: Key) =>
  Schema.optionalToRequired(Schema.NullishOr(Schema.String), Schema.OptionFromSelf(UtcTime), {
    // Absent, null (or undefined) and "" all mean "not yet": a waiting task has not started.
    decode: (wire) => Option.filter(Option.flatMap(wire, Option.fromNullable), (time) => time !== ""),
    encode: (time) => time
  }).pipe(Schema.fromKey(key))

/**
 * One task of the offline key analysis list. Its `id` is the `task_id` of the show and delete
 * operations.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OfflineKeyAnalysisRecord extends Schema.Class<OfflineKeyAnalysisRecord>("OfflineKeyAnalysisRecord")({
  id: Schema.String,
  status: TaskStatus,
  createdAt: Schema.propertySignature(UtcTime).pipe(Schema.fromKey("created_at")),
  startedAt: optionalTime("started_at"),
  finishedAt: optionalTime("finished_at")
}) {}

/**
 * The answer of the list operation: one page of tasks and the server's `total`.
 *
 * A missing `records` is an empty page; a missing `instance_id` is `None`. `total` is required:
 * without it a client cannot know where the list ends.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ListOfflineKeyAnalysisTasksResponse
  extends Schema.Class<ListOfflineKeyAnalysisTasksResponse>("ListOfflineKeyAnalysisTasksResponse")({
    instanceId: Schema.optionalWith(Schema.String, { as: "Option", nullable: true }).pipe(
      Schema.fromKey("instance_id")
    ),
    total: Schema.NonNegativeInt,
    records: Schema.optionalWith(Schema.Array(OfflineKeyAnalysisRecord), {
      nullable: true,
      default: () => []
    })
  })
{}

/**
 * One page of a task stream: where it starts, what the server said of the whole list, and the
 * request id of the response that carried it.
 *
 * @since 0.1.0
 * @category models
 */
export interface OfflineKeyAnalysisTaskPage {
  /** The offset this page was asked for. */
  readonly offset: number
  /** The limit this page was asked for; the server may have returned fewer. */
  readonly limit: number
  /** The server's `total` in this response. */
  readonly total: number
  /** The records of this page not already emitted by the page before it. */
  readonly records: ReadonlyArray<OfflineKeyAnalysisRecord>
  /** How many records the server returned, duplicates included (what the offset advanced by). */
  readonly received: number
  /** The `X-Request-Id` of the response. */
  readonly requestId: Option.Option<string>
}

// ---------------------------------------------------------------------------------------------
// Create, show, delete, nodes
// ---------------------------------------------------------------------------------------------

/**
 * The answer of create and delete: the task's id.
 *
 * @since 0.1.0
 * @category schemas
 */
export class TaskIdResponse extends Schema.Class<TaskIdResponse>("TaskIdResponse")({
  taskId: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("task_id"))
}) {}

// Counters of a report can pass 2^31 (total bytes of an instance); JSON numbers are exact to 2^53.
const Count = Schema.NonNegativeInt

const optionalString = <Key extends string>(key: Key) =>
  Schema.optionalWith(Schema.String, { as: "Option", nullable: true }).pipe(Schema.fromKey(key))

const optionalCount = <Key extends string>(key: Key) =>
  Schema.optionalWith(Count, { as: "Option", nullable: true }).pipe(Schema.fromKey(key))

const list = <S extends Schema.Schema.Any>(item: S) =>
  Schema.optionalWith(Schema.Array(item), { nullable: true, default: () => [] })

/**
 * One of the biggest keys of a report. `type` is one of `string`, `list`, `set`, `zset`, `hash`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class BigKey extends Schema.Class<BigKey>("BigKey")({
  key: Schema.String,
  type: Schema.String,
  bytes: Count,
  /** The number of elements (1 for a string). */
  numOfElem: optionalCount("num_of_elem")
}) {}

/**
 * One of the key prefixes with the most keys, per data type.
 *
 * @since 0.1.0
 * @category schemas
 */
export class KeyPrefix extends Schema.Class<KeyPrefix>("KeyPrefix")({
  keyPrefix: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("key_prefix")),
  type: Schema.String,
  bytes: Count,
  num: Count
}) {}

/**
 * Bytes used by one data type.
 *
 * @since 0.1.0
 * @category schemas
 */
export class TypeBytes extends Schema.Class<TypeBytes>("TypeBytes")({
  type: Schema.String,
  bytes: Count
}) {}

/**
 * Keys of one data type.
 *
 * @since 0.1.0
 * @category schemas
 */
export class TypeNum extends Schema.Class<TypeNum>("TypeNum")({
  type: Schema.String,
  num: Count
}) {}

/**
 * The report of one analysis (the show operation). Every field may be absent: a task that has
 * not finished has no report yet. The service does not say the task's status here; the list does.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OfflineKeyAnalysisReport extends Schema.Class<OfflineKeyAnalysisReport>("OfflineKeyAnalysisReport")({
  id: optionalString("id"),
  instanceId: optionalString("instance_id"),
  nodeId: optionalString("node_id"),
  backupId: optionalString("backup_id"),
  groupName: optionalString("group_name"),
  nodeIp: optionalString("node_ip"),
  nodeIpv6: optionalString("node_ipv6"),
  /** `master` or `slave`. */
  nodeType: optionalString("node_type"),
  /** `new_backup` (a backup was taken first) or `old_backup` (an existing backup was analysed). */
  analysisType: optionalString("analysis_type"),
  startedAt: optionalTime("started_at"),
  finishedAt: optionalTime("finished_at"),
  totalBytes: optionalCount("total_bytes"),
  totalNum: optionalCount("total_num"),
  largestKeyPrefixes: list(KeyPrefix).pipe(Schema.fromKey("largest_key_prefixes")),
  largestKeys: list(BigKey).pipe(Schema.fromKey("largest_keys")),
  typeBytes: list(TypeBytes).pipe(Schema.fromKey("type_bytes")),
  typeNum: list(TypeNum).pipe(Schema.fromKey("type_num"))
}) {}

/**
 * A node an analysis ran on.
 *
 * @since 0.1.0
 * @category schemas
 */
export class OfflineKeyAnalysisNode extends Schema.Class<OfflineKeyAnalysisNode>("OfflineKeyAnalysisNode")({
  id: Schema.String,
  name: optionalString("name"),
  groupName: optionalString("group_name"),
  nodeIpv6: optionalString("node_ipv6")
}) {}

/**
 * The answer of the nodes operation.
 *
 * @since 0.1.0
 * @category schemas
 */
export class ListOfflineKeyAnalysisNodesResponse
  extends Schema.Class<ListOfflineKeyAnalysisNodesResponse>("ListOfflineKeyAnalysisNodesResponse")({
    nodes: list(OfflineKeyAnalysisNode)
  })
{}
