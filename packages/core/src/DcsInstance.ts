/**
 * Records of DCS instances and their nodes, as Schemas: what `DcsClient.listInstances`,
 * `streamInstances` and `listInstanceNodes` answer.
 *
 * The service is known to be loose with these answers (`no_password_access` as a string or a
 * boolean, `enterprise_project_id` as a number, `node_port` as a string, tag keys as numbers), and
 * adds fields over time. Decoding is lenient where it can be: unknown fields are ignored, a value
 * of an unexpected type for a field the library does not rely on becomes `None`, and only the
 * fields the library relies on (ids, name, engine, status, creation time) fail the decoding.
 *
 * The decoded records encode to camelCase JSON (e.g. for NDJSON output); `DcsInstanceFromWire`
 * and `DcsInstanceNodeFromWire` read the service's snake_case.
 *
 * @since 0.2.0
 */
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { UnrecognizedStatus, UtcTime } from "./OfflineKeyAnalysis.js"

// ---------------------------------------------------------------------------------------------
// Statuses and node types
// ---------------------------------------------------------------------------------------------

/**
 * The instance statuses the API documents. `RUNNING` is the only one that serves traffic (and
 * the only one an analysis can run in).
 *
 * @since 0.2.0
 * @category schemas
 */
export const KnownInstanceStatus = Schema.Literal(
  "CREATING",
  "CREATEFAILED",
  "RUNNING",
  "ERROR",
  "RESTARTING",
  "FROZEN",
  "EXTENDING",
  "RESTORING",
  "FLUSHING"
).annotations({ identifier: "KnownInstanceStatus" })

/**
 * @since 0.2.0
 * @category models
 */
export type KnownInstanceStatus = typeof KnownInstanceStatus.Type

/**
 * The status of an instance: one of the documented values, or an `UnrecognizedStatus` carrying
 * the raw string (the service has more transient states than it documents).
 *
 * @since 0.2.0
 * @category schemas
 */
export const InstanceStatus = Schema.Union(KnownInstanceStatus, UnrecognizedStatus).annotations({
  identifier: "InstanceStatus"
})

/**
 * @since 0.2.0
 * @category models
 */
export type InstanceStatus = typeof InstanceStatus.Type

/**
 * The status as the service wrote it.
 *
 * @since 0.2.0
 * @category utils
 */
export const instanceStatusToString = (status: InstanceStatus): string =>
  typeof status === "string" ? status : status.status

/**
 * Decodes a status string into an `InstanceStatus` (the documented values, else `Unrecognized`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const instanceStatus = (status: string): InstanceStatus =>
  knownStatuses.has(status) ? status as KnownInstanceStatus : { _tag: "Unrecognized", status }

const knownStatuses: ReadonlySet<string> = new Set(KnownInstanceStatus.literals)

/**
 * A node type that is none of `master`, `slave`, `proxy`.
 *
 * @since 0.2.0
 * @category models
 */
export interface UnrecognizedNodeType {
  readonly _tag: "Unrecognized"
  readonly nodeType: string
}

/**
 * The type of a node: `master`, `slave` (a replica), `proxy` (a proxy of a Proxy Cluster
 * instance, which holds no data), or an `UnrecognizedNodeType`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const NodeType: Schema.Schema<"master" | "slave" | "proxy" | UnrecognizedNodeType, string> = Schema.Union(
  Schema.Literal("master", "slave", "proxy"),
  Schema.transform(Schema.String, Schema.TaggedStruct("Unrecognized", { nodeType: Schema.String }), {
    strict: true,
    decode: (nodeType) => ({ _tag: "Unrecognized" as const, nodeType }),
    encode: ({ nodeType }) => nodeType
  })
).annotations({ identifier: "NodeType" })

/**
 * @since 0.2.0
 * @category models
 */
export type NodeType = typeof NodeType.Type

/**
 * The type as the service wrote it.
 *
 * @since 0.2.0
 * @category utils
 */
export const nodeTypeToString = (nodeType: NodeType): string =>
  typeof nodeType === "string" ? nodeType : nodeType.nodeType

// ---------------------------------------------------------------------------------------------
// Instances
// ---------------------------------------------------------------------------------------------

/**
 * A tag of an instance.
 *
 * @since 0.2.0
 * @category schemas
 */
export class InstanceTag extends Schema.Class<InstanceTag>("InstanceTag")({
  key: Schema.String,
  value: Schema.String
}) {}

const OptionalString = Schema.OptionFromNullOr(Schema.String)
const OptionalNumber = Schema.OptionFromNullOr(Schema.Number)

/**
 * A DCS instance, as the list of instances shows it.
 *
 * @since 0.2.0
 * @category schemas
 */
export class DcsInstance extends Schema.Class<DcsInstance>("DcsInstance")({
  /** The instance id (`instance_id`): what every other call takes as `instanceId`. */
  id: Schema.String,
  name: Schema.String,
  /** `Redis` or `Memcached`. */
  engine: Schema.String,
  /** e.g. `5.0`; empty when the service left it out. */
  engineVersion: Schema.String,
  status: InstanceStatus,
  /** e.g. `normal`. */
  subStatus: OptionalString,
  /** The capacity in GB: `capacity`, or `capacity_minor` (e.g. `.125`) for sub-GB flavors. */
  capacity: OptionalNumber,
  /** Total memory, in MB. */
  maxMemory: OptionalNumber,
  /** Used memory, in MB. */
  usedMemory: OptionalNumber,
  /** The flavor, e.g. `redis.ha.xu1.large.r2.4`. */
  specCode: OptionalString,
  /** The connection IP (a comma-separated list for cluster instances). */
  ip: OptionalString,
  port: OptionalNumber,
  domainName: OptionalString,
  createdAt: UtcTime,
  tags: Schema.Array(InstanceTag),
  /** The enterprise project (`"0"` is conventionally the default one). */
  enterpriseProjectId: OptionalString,
  /** Whether password-free access is enabled. */
  noPasswordAccess: Schema.OptionFromNullOr(Schema.Boolean),
  /** The feature flags, e.g. `support_acl`, as the service names them. */
  features: Schema.Record({ key: Schema.String, value: Schema.Boolean })
}) {}

/**
 * The wire form of an instance as far as the library requires it; every other field is read
 * leniently from the rest of the object.
 */
const WireInstance = Schema.Struct(
  {
    instance_id: Schema.String,
    name: Schema.String,
    engine: Schema.String,
    status: Schema.String,
    created_at: Schema.String
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

const asString = (u: unknown): string | null =>
  typeof u === "string" ? u : typeof u === "number" && Number.isFinite(u) ? String(u) : null

const asNumber = (u: unknown): number | null => {
  if (typeof u === "number") return Number.isFinite(u) ? u : null
  if (typeof u !== "string" || u.trim() === "") return null
  const n = Number(u)
  return Number.isFinite(n) ? n : null
}

const asBoolean = (u: unknown): boolean | null => {
  if (typeof u === "boolean") return u
  if (typeof u !== "string") return null
  const lower = u.trim().toLowerCase()
  return lower === "true" ? true : lower === "false" ? false : null
}

// `capacity` is 0 for sub-GB flavors, whose size is `capacity_minor` (".125").
const capacityOf = (capacity: unknown, minor: unknown): number | null => {
  const major = asNumber(capacity)
  const sub = asNumber(minor)
  return major !== null && major > 0 ? major : sub ?? major
}

const tagsOf = (u: unknown): Array<{ key: string; value: string }> =>
  Array.isArray(u)
    ? u.flatMap((tag) => {
      if (typeof tag !== "object" || tag === null) return []
      const key = asString((tag as Record<string, unknown>).key)
      return key === null ? [] : [{ key, value: asString((tag as Record<string, unknown>).value) ?? "" }]
    })
    : []

const featuresOf = (u: unknown): Record<string, boolean> => {
  const features: Record<string, boolean> = {}
  if (typeof u !== "object" || u === null || Array.isArray(u)) return features
  for (const [key, value] of Object.entries(u)) {
    const flag = asBoolean(value)
    if (flag !== null) features[key] = flag
  }
  return features
}

const orUndefined = <A>(value: A | null): A | undefined => value ?? undefined

/**
 * A `DcsInstance` from the service's JSON (`InstanceListInfo`), decoded leniently.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DcsInstanceFromWire: Schema.Schema<DcsInstance, typeof WireInstance.Encoded> = Schema.transformOrFail(
  WireInstance,
  DcsInstance,
  {
    strict: true,
    decode: (wire) =>
      ParseResult.succeed({
        id: wire.instance_id,
        name: wire.name,
        engine: wire.engine,
        engineVersion: asString(wire.engine_version) ?? "",
        status: wire.status,
        subStatus: asString(wire.sub_status),
        capacity: capacityOf(wire.capacity, wire.capacity_minor),
        maxMemory: asNumber(wire.max_memory),
        usedMemory: asNumber(wire.used_memory),
        specCode: asString(wire.spec_code),
        ip: asString(wire.ip),
        port: asNumber(wire.port),
        domainName: asString(wire.domain_name),
        createdAt: wire.created_at,
        tags: tagsOf(wire.tags),
        enterpriseProjectId: asString(wire.enterprise_project_id),
        noPasswordAccess: asBoolean(wire.no_password_access),
        features: featuresOf(wire.features)
      }),
    encode: (instance) =>
      ParseResult.succeed({
        instance_id: instance.id,
        name: instance.name,
        engine: instance.engine,
        engine_version: instance.engineVersion,
        status: instance.status,
        sub_status: orUndefined(instance.subStatus),
        capacity: instance.capacity !== null && instance.capacity >= 1 ? instance.capacity : 0,
        capacity_minor: instance.capacity !== null && instance.capacity < 1 ? String(instance.capacity) : undefined,
        max_memory: orUndefined(instance.maxMemory),
        used_memory: orUndefined(instance.usedMemory),
        spec_code: orUndefined(instance.specCode),
        ip: orUndefined(instance.ip),
        port: orUndefined(instance.port),
        domain_name: orUndefined(instance.domainName),
        created_at: instance.createdAt,
        tags: instance.tags,
        enterprise_project_id: orUndefined(instance.enterpriseProjectId),
        no_password_access: orUndefined(instance.noPasswordAccess),
        features: instance.features
      })
  }
).annotations({ identifier: "DcsInstanceFromWire" })

/**
 * The answer of the list of instances: one page of instances, and `total` (`instance_num`, the
 * number of instances that match). A missing `instances` is an empty page.
 *
 * @since 0.2.0
 * @category schemas
 */
export class ListInstancesResponse extends Schema.Class<ListInstancesResponse>("ListInstancesResponse")({
  total: Schema.propertySignature(Schema.NonNegativeInt).pipe(Schema.fromKey("instance_num")),
  instances: Schema.optionalWith(Schema.Array(DcsInstanceFromWire), { nullable: true, default: () => [] })
}) {}

/**
 * One page of an instance stream: where it starts, what the server said of the whole list, and
 * the request id of the response that carried it.
 *
 * @since 0.2.0
 * @category models
 */
export interface DcsInstancePage {
  /** The offset this page was asked for. */
  readonly offset: number
  /** The limit this page was asked for; the server may have returned fewer. */
  readonly limit: number
  /** The server's `instance_num` in this response. */
  readonly total: number
  /** The instances of this page not already emitted by the page before it. */
  readonly instances: ReadonlyArray<DcsInstance>
  /** How many instances the server returned (what the offset advanced by). */
  readonly received: number
  /** The `X-Request-Id` of the response. */
  readonly requestId: Option.Option<string>
}

/**
 * Whether an instance's engine can have its keys analysed offline at all: Redis 4.0 and later.
 * Redis 3.0 and Memcached cannot (the service answers `DCS.4230`). `None` when it can, else why
 * not.
 *
 * @since 0.2.0
 * @category predicates
 */
export const unsupportedReason = (instance: DcsInstance): Option.Option<string> => {
  const engine = instance.engine.toLowerCase()
  if (engine === "memcached") return Option.some("Memcached does not support offline key analysis")
  if (engine === "redis" && /^[0-3](\.|$)/.test(instance.engineVersion)) {
    return Option.some(`Redis ${instance.engineVersion} does not support offline key analysis (4.0 or later does)`)
  }
  return Option.none()
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

/**
 * A node of an instance (`GET …/instances/{instance_id}/logical-nodes`). `nodeId` is the id an
 * offline key analysis takes; a shard is the nodes that share a `groupId`.
 *
 * @since 0.2.0
 * @category schemas
 */
export class DcsInstanceNode extends Schema.Class<DcsInstanceNode>("DcsInstanceNode")({
  /** The node id (`node_id`): what `createOfflineKeyAnalysis` takes as `nodeId`. */
  nodeId: Schema.String,
  logicalNodeId: OptionalString,
  /** e.g. `(replica)192.168.0.178`. */
  name: OptionalString,
  /** `Creating`, `Active`, `Inactive`, `Deleting`, `AddSharding`, … */
  status: OptionalString,
  nodeType: NodeType,
  /** `redis-server` (a data node) or `redis-proxy`. */
  nodeRole: OptionalString,
  ip: OptionalString,
  port: OptionalNumber,
  /** The shard's id. */
  groupId: OptionalString,
  /** The shard's name, e.g. `group-0`. */
  groupName: OptionalString,
  azCode: OptionalString
}) {}

const WireNode = Schema.Struct(
  { node_id: Schema.String, node_type: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * A `DcsInstanceNode` from the service's JSON (`NodesInfoResp`), decoded leniently.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DcsInstanceNodeFromWire: Schema.Schema<DcsInstanceNode, typeof WireNode.Encoded> = Schema
  .transformOrFail(WireNode, DcsInstanceNode, {
    strict: true,
    decode: (wire) =>
      ParseResult.succeed({
        nodeId: wire.node_id,
        logicalNodeId: asString(wire.logical_node_id),
        name: asString(wire.name),
        status: asString(wire.status),
        nodeType: wire.node_type,
        nodeRole: asString(wire.node_role),
        ip: asString(wire.node_ip),
        port: asNumber(wire.node_port),
        groupId: asString(wire.group_id),
        groupName: asString(wire.group_name),
        azCode: asString(wire.az_code)
      }),
    encode: (node) =>
      ParseResult.succeed({
        node_id: node.nodeId,
        node_type: node.nodeType,
        logical_node_id: orUndefined(node.logicalNodeId),
        name: orUndefined(node.name),
        status: orUndefined(node.status),
        node_role: orUndefined(node.nodeRole),
        node_ip: orUndefined(node.ip),
        node_port: node.port === null ? undefined : String(node.port),
        group_id: orUndefined(node.groupId),
        group_name: orUndefined(node.groupName),
        az_code: orUndefined(node.azCode)
      })
  }).annotations({ identifier: "DcsInstanceNodeFromWire" })

/**
 * The answer of the nodes of an instance. A missing `nodes` (an instance being created) is none.
 *
 * @since 0.2.0
 * @category schemas
 */
export class ListInstanceNodesResponse extends Schema.Class<ListInstanceNodesResponse>("ListInstanceNodesResponse")({
  instanceId: Schema.optionalWith(Schema.String, { as: "Option", nullable: true }).pipe(
    Schema.fromKey("instance_id")
  ),
  nodes: Schema.optionalWith(Schema.Array(DcsInstanceNodeFromWire), { nullable: true, default: () => [] })
}) {}

/**
 * Whether a node holds data (a master or a replica, not a proxy) and is active (or says
 * nothing of its status): the nodes an analysis can target.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isAnalyzable = (node: DcsInstanceNode): boolean =>
  (node.nodeType === "master" || node.nodeType === "slave") &&
  Option.getOrElse(Option.map(node.nodeRole, (role) => role !== "redis-proxy"), () => true) &&
  Option.getOrElse(Option.map(node.status, (status) => status.toLowerCase() === "active"), () => true)

/**
 * The shard a node belongs to: its `groupId`, else its `groupName`, else `""` (an instance
 * without shards is one shard).
 *
 * @since 0.2.0
 * @category utils
 */
export const shardOf = (node: DcsInstanceNode): string =>
  Option.getOrElse(Option.orElse(node.groupId, () => node.groupName), () => "")
