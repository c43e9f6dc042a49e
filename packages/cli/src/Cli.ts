/**
 * `dcs-key-analysis`: the offline key analysis of Huawei Cloud DCS from a terminal or a script,
 * built with `@effect/cli` on `@effect-dcs/core` and `@effect-dcs/node`.
 *
 * ```sh
 * dcs-key-analysis list <instance-id> [--status S] [--all [--page-size N]] [--offset N] [--limit N] [--json]
 * dcs-key-analysis analyze <instance-id> --node <node-id> [--backup <backup-id>] [--timeout D] [--json]
 * dcs-key-analysis show|delete|wait|nodes <instance-id> <task-id> [--json]
 * dcs-key-analysis instances [--name N] [--name-equal] [--status S] [--tag k=v]... [--json]
 * dcs-key-analysis nodes <instance-id> [--json]
 * dcs-key-analysis analyze <instance-id> [--timeout D] [--json]
 * dcs-key-analysis fleet [--name N] [--status S] [--tag k=v]... [--concurrency N] [--top N] [--json]
 * ```
 *
 * Every command also takes `--endpoint`, `--region`, `--project-id`, `--sk-file` and `--emulator`;
 * the rest of the configuration comes from the variables `NodeDcsClient.layerConfig()` reads.
 *
 * Output: a table by default; with `--json`, NDJSON for lists (`list`, `nodes`: one object per
 * line, the service's snake_case field names, ISO-8601 times) and one JSON document otherwise.
 * Progress and diagnostics go to stderr; stdout carries only the result.
 *
 * Exit codes: 0 success; 1 an API or network error (`error_code: error_msg (request id …)` on
 * stderr); 2 a usage or configuration error; 130 interrupted.
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import type * as Runtime from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "./internal/connection.js"
import * as Errors from "./internal/errors.js"
import * as FleetCommands from "./internal/fleet.js"
import * as Format from "./internal/format.js"
import * as CliOptions from "./internal/options.js"
import * as Output from "./internal/output.js"
import * as Progress from "./internal/progress.js"
import { withPlainConsole } from "./internal/terminal.js"

/**
 * The tool's name, as its `bin` and its help call it.
 *
 * @since 0.1.0
 * @category constants
 */
export const name = "dcs-key-analysis"

/**
 * @since 0.1.0
 * @category constants
 */
export const version = "0.1.0"

/**
 * The exit codes: `ok` 0, `apiError` 1, `usage` 2 (usage and configuration), `interrupted` 130.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode: {
  readonly ok: 0
  readonly apiError: 1
  readonly usage: 2
  readonly interrupted: 130
} = Errors.ExitCode

// ---------------------------------------------------------------------------------------------
// Arguments and options
// ---------------------------------------------------------------------------------------------

const instanceId = Args.text({ name: "instance-id" }).pipe(Args.withDescription("The id of the DCS instance."))

const taskId = Args.text({ name: "task-id" }).pipe(
  Args.withDescription("The id of the analysis task (the ID column of `list`, or what `analyze` printed).")
)

const statuses = ["waiting", "running", "success", "failed"] as const

const resultAsJson = CliOptions.json("Print the result as one JSON document (the service's snake_case fields).")

const withClient = Connection.provide

// ---------------------------------------------------------------------------------------------
// list
// ---------------------------------------------------------------------------------------------

const listConfig = {
  instanceId,
  status: Options.choice("status", statuses).pipe(
    Options.withDescription("Only the tasks with this status."),
    Options.optional
  ),
  all: Options.boolean("all").pipe(
    Options.withDescription(
      "Every task, page after page (progress on stderr when it is a terminal). With --offset: from there on."
    )
  ),
  pageSize: CliOptions.integerAtLeast("page-size", 1, "With --all: the tasks per request (default 100).").pipe(
    Options.optional
  ),
  offset: CliOptions.integerAtLeast("offset", 0, "The first task to show, counted from 0 (the newest).").pipe(
    Options.optional
  ),
  limit: CliOptions.integerAtLeast("limit", 0, "How many tasks to show (the service's default is 10).").pipe(
    Options.optional
  ),
  json: CliOptions.json(
    "Print NDJSON: one object per task and line, {id, status, created_at, started_at, finished_at}."
  ),
  connection: Connection.options
} as const

type ListConfig = Command.Command.ParseConfig<typeof listConfig>

// Checked before anything starts (the emulator, a request).
const checkListFlags = (config: ListConfig): Effect.Effect<void, Errors.UsageError> => {
  if (config.all && Option.isSome(config.limit)) {
    return new Errors.UsageError({
      message: "--limit selects one page; with --all, --page-size sets the tasks per request"
    })
  }
  if (!config.all && Option.isSome(config.pageSize)) {
    return new Errors.UsageError({
      message: "--page-size sets the tasks per request of --all; for one page, --limit sets its size"
    })
  }
  return Effect.void
}

const listAll = (config: ListConfig) =>
  Effect.gen(function*() {
    const progress = Progress.pageProgress()
    if (!config.json) yield* Console.log(Output.taskHeader)
    let seen = 0
    yield* DcsClient.streamOfflineKeyAnalysisTaskPages({
      instanceId: config.instanceId,
      status: Option.getOrUndefined(config.status),
      pageSize: Option.getOrUndefined(config.pageSize),
      startOffset: Option.getOrUndefined(config.offset)
    }).pipe(
      Stream.runForEach((page) =>
        Effect.gen(function*() {
          seen += page.records.length
          yield* progress.beforePage
          if (page.records.length > 0) {
            yield* Console.log(config.json ? Output.taskLines(page.records) : Output.taskRows(page.records))
          }
          yield* progress.afterPage(seen, page.total)
        })
      ),
      Effect.ensuring(progress.done)
    )
    if (!config.json) yield* Console.error(`${Format.count(seen)} tasks`)
  })

const listPage = (config: ListConfig) =>
  Effect.gen(function*() {
    const offset = Option.getOrElse(config.offset, () => 0)
    const page = yield* DcsClient.listOfflineKeyAnalysisTasks({
      instanceId: config.instanceId,
      status: Option.getOrUndefined(config.status),
      offset: Option.getOrUndefined(config.offset),
      limit: Option.getOrUndefined(config.limit)
    })
    yield* Output.printTasks(page.records, config.json)
    if (config.json) return
    const shown = page.records.length
    const next = offset + shown
    yield* Console.error(
      shown === 0
        ? `no tasks at offset ${offset} (${Format.count(page.total)} in all)`
        : `tasks ${offset + 1}-${next} of ${Format.count(page.total)}` +
          (next < page.total ? `; the next page: --offset ${next}; every task: --all` : "")
    )
  })

/**
 * `list <instance-id>`: one page of the instance's tasks (newest first), or every task with `--all`.
 *
 * @since 0.1.0
 * @category commands
 */
export const list = Command.make(
  "list",
  listConfig,
  (config) =>
    Effect.zipRight(
      checkListFlags(config),
      withClient(config.connection, config.all ? listAll(config) : listPage(config))
    )
).pipe(Command.withDescription("List the offline key analysis tasks of an instance, newest first."))

// ---------------------------------------------------------------------------------------------
// analyze
// ---------------------------------------------------------------------------------------------

/**
 * `analyze <instance-id> --node <node-id>`: creates an analysis, waits for it (progress on
 * stderr), and prints its report.
 *
 * @since 0.1.0
 * @category commands
 */
export const analyze = Command.make(
  "analyze",
  {
    instanceId,
    node: Options.text("node").pipe(
      Options.withDescription(
        "The node whose backup is analysed (a node id of the instance, see `nodes <instance-id>`). " +
          "Without it, the whole instance: one node per shard (a replica where there is one), merged."
      ),
      Options.withPseudoName("NODE-ID"),
      Options.optional
    ),
    backup: Options.text("backup").pipe(
      Options.withDescription("An existing backup to analyse; without it, a new backup is taken first."),
      Options.withPseudoName("BACKUP-ID"),
      Options.optional
    ),
    timeout: CliOptions.timeout,
    json: CliOptions.json(
      "Print one JSON document: {\"task\": the task as `list --json` prints it, \"report\": as `show --json` does}."
    ),
    connection: Connection.options
  },
  (config) =>
    Option.isNone(config.node)
      ? Option.isSome(config.backup)
        ? new Errors.UsageError({ message: "--backup names a backup of one node: give the node with --node" })
        : withClient(config.connection, FleetCommands.analyzeWholeInstance(config))
      : withClient(
        config.connection,
        Effect.gen(function*() {
          const node = Option.getOrThrow(config.node)
          // Create, wait and show, rather than `analyzeKeys`: the task id is known (and printed) as
          // soon as the task exists, so that an interrupted wait can be resumed.
          const taskId = yield* DcsClient.createOfflineKeyAnalysis({
            instanceId: config.instanceId,
            nodeId: node,
            backupId: Option.getOrUndefined(config.backup)
          })
          yield* Console.error(`created task ${taskId} (node ${node})`)
          const task = yield* Progress.waitForTask({ instanceId: config.instanceId, taskId, timeout: config.timeout })
          const report = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: config.instanceId, taskId })
          yield* Console.log(
            config.json
              ? Format.json({ task: Format.recordJson(task), report: Format.reportJson(report) })
              : Output.reportText(report, Option.some(task))
          )
        })
      )
).pipe(
  Command.withDescription(
    "Analyse the keys of one node (--node): create an analysis, wait for it, and print its report " +
      "(the biggest keys, the key prefixes with the most keys, keys and bytes per type). Without --node, the " +
      "whole instance: one analysis per shard, at once, merged (an analysis already running on a node is " +
      "waited for rather than duplicated)."
  )
)

// ---------------------------------------------------------------------------------------------
// show, delete, wait, nodes
// ---------------------------------------------------------------------------------------------

/**
 * `show <instance-id> <task-id>`: the report of a task.
 *
 * @since 0.1.0
 * @category commands
 */
export const show = Command.make(
  "show",
  { instanceId, taskId, json: resultAsJson, connection: Connection.options },
  (config) =>
    withClient(
      config.connection,
      Effect.flatMap(
        DcsClient.showOfflineKeyAnalysisTask({ instanceId: config.instanceId, taskId: config.taskId }),
        (report) => Console.log(config.json ? Format.json(Format.reportJson(report)) : Output.reportText(report))
      )
    )
).pipe(Command.withDescription("Print the report of an analysis task (empty until the task has succeeded)."))

/**
 * `delete <instance-id> <task-id>`: deletes a task and its report.
 *
 * @since 0.1.0
 * @category commands
 */
export const deleteTask = Command.make(
  "delete",
  {
    instanceId,
    taskId,
    json: CliOptions.json("Print {\"task_id\": …, \"deleted\": true}."),
    connection: Connection.options
  },
  (config) =>
    withClient(
      config.connection,
      Effect.zipRight(
        DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: config.instanceId, taskId: config.taskId }),
        Console.log(
          config.json ? Format.json({ task_id: config.taskId, deleted: true }) : `deleted task ${config.taskId}`
        )
      )
    )
).pipe(Command.withDescription("Delete an analysis task and its report."))

/**
 * `wait <instance-id> <task-id>`: waits until a task has succeeded (exit code 0) or failed (1).
 *
 * @since 0.1.0
 * @category commands
 */
export const wait = Command.make(
  "wait",
  {
    instanceId,
    taskId,
    timeout: CliOptions.timeout,
    json: CliOptions.json("Print the finished task as one JSON object, as `list --json` does."),
    connection: Connection.options
  },
  (config) =>
    withClient(
      config.connection,
      Effect.gen(function*() {
        // An unknown task would otherwise be waited for until the timeout: Show knows at once.
        yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: config.instanceId, taskId: config.taskId })
        const task = yield* Progress.waitForTask({
          instanceId: config.instanceId,
          taskId: config.taskId,
          timeout: config.timeout
        })
        yield* Output.printTasks([task], config.json)
      })
    )
).pipe(
  Command.withDescription(
    "Wait until an analysis task has succeeded (exit code 0) or failed (exit code 1), then print it."
  )
)

/**
 * `nodes <instance-id> <task-id>`: the nodes a task analysed.
 *
 * @since 0.1.0
 * @category commands
 */
export const nodes = Command.make(
  "nodes",
  {
    instanceId,
    taskId: FleetCommands.optionalTaskId,
    json: CliOptions.json(
      "Print NDJSON: one object per node and line ({id, name, group_name, node_ipv6} for a task's nodes; " +
        "{nodeId, nodeType, groupName, …} for an instance's)."
    ),
    connection: Connection.options
  },
  (config) =>
    withClient(
      config.connection,
      Option.isNone(config.taskId) ? FleetCommands.printInstanceNodes(config.instanceId, config.json) : Effect.flatMap(
        DcsClient.listOfflineKeyAnalysisNodes({ instanceId: config.instanceId, taskId: config.taskId.value }),
        (found) =>
          config.json
            ? found.length === 0 ? Effect.void : Console.log(Output.nodeLines(found))
            : Console.log(Output.nodeTable(found))
      )
    )
).pipe(Command.withDescription(
  "List the logical nodes of an instance (the ids `analyze --node` takes), or with a task id the nodes it ran on."
))

// ---------------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------------

/**
 * `instances [--name N] [--name-equal] [--status S] [--tag k=v]… [--json]`: the project's instances.
 *
 * @since 0.2.0
 * @category commands
 */
export const instances = FleetCommands.instances

/**
 * `fleet [--name N] [--status S] [--tag k=v]… [--concurrency N] [--top N] [--json]`: every
 * instance matching the filters analysed, shard by shard, several at once.
 *
 * @since 0.2.0
 * @category commands
 */
export const fleet = FleetCommands.fleet

/**
 * The whole tool: `dcs-key-analysis` and its commands. Without a command it prints its help.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  name,
  {},
  (): Effect.Effect<void, ValidationError.ValidationError> =>
    Effect.suspend(() => Effect.fail(ValidationError.helpRequested(command.descriptor)))
).pipe(
  Command.withDescription("Huawei Cloud DCS offline key analysis: list, run and read analyses of big keys."),
  Command.withSubcommands([list, analyze, show, deleteTask, wait, nodes, instances, fleet])
)

/**
 * Parses a command line (`process.argv`: the runtime and the script first) and runs the command.
 * Fails as the command failed; a usage error has been printed by `@effect/cli` already.
 *
 * @since 0.1.0
 * @category running
 */
export const run: (argv: ReadonlyArray<string>) => Effect.Effect<void, unknown, CliApp.CliApp.Environment> = Command
  .run(command, { name, version })

/**
 * Runs a command line to the end and answers its exit code, every failure reported on stderr.
 * Interruption (Ctrl+C) is left to the runtime: see `teardown`.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  run(argv).pipe(
    Effect.as(ExitCode.ok as number),
    Effect.catchAll((error) => {
      const { code, lines } = Errors.report(error)
      return lines.length === 0 ? Effect.succeed(code) : Effect.as(Console.error(lines.join("\n")), code)
    }),
    Effect.catchAllDefect((defect) =>
      Effect.as(Console.error(`unexpected error: ${Cause.pretty(Cause.die(defect))}`), ExitCode.apiError as number)
    ),
    withPlainConsole,
    // stdout carries only the result: the library's logs (a wait interrupted, …) go to stderr.
    Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true })))
  )

/**
 * The teardown of `NodeRuntime.runMain` for `main`: exits with the code `main` answered, 130 when
 * interrupted.
 *
 * @since 0.1.0
 * @category running
 */
export const teardown: Runtime.Teardown = (exit, onExit) => {
  if (Exit.isSuccess(exit)) {
    onExit(typeof exit.value === "number" ? exit.value : ExitCode.ok)
  } else {
    onExit(Cause.isInterruptedOnly(exit.cause) ? ExitCode.interrupted : ExitCode.apiError)
  }
}
