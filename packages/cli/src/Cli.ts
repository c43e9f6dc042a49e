/**
 * `dcs-key-analysis`: the offline key analysis of Huawei Cloud DCS from a terminal or a script,
 * built with `@effect/cli` on `@effect-dcs/core` and `@effect-dcs/node`.
 *
 * ```sh
 * dcs-key-analysis list <instance-id> [--status S] [--all [--page-size N]] [--offset N] [--limit N] [--json]
 * dcs-key-analysis analyze <instance-id> --node <node-id> [--backup <backup-id>] [--timeout D] [--json]
 * dcs-key-analysis show|delete|wait|nodes <instance-id> <task-id> [--json]
 * dcs-key-analysis show <instance-id> <task-id> --chart          (and analyze … --chart)
 * dcs-key-analysis diff <instance-id> <task-before> <task-after> [--json] [--fail-on-growth 20%] [--fail-on-growth-bytes 1GiB]
 * dcs-key-analysis diff <instance-id> --last [--node <node-id>] …
 * dcs-key-analysis report <instance-id> <task-id> [--compare <task-id>] [--out FILE] [--open]
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
 * stderr), no successful analysis to compare, a task without a report, or growth past `diff`'s
 * `--fail-on-growth` threshold; 2 a usage or configuration error; 130 interrupted.
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import type * as OfflineKeyAnalysis from "@effect-dcs/core/OfflineKeyAnalysis"
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Runtime from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Path from "node:path"
import * as Connection from "./internal/connection.js"
import * as Errors from "./internal/errors.js"
import * as FleetCommands from "./internal/fleet.js"
import * as Format from "./internal/format.js"
import * as CliOptions from "./internal/options.js"
import * as Output from "./internal/output.js"
import * as Progress from "./internal/progress.js"
import * as Reports from "./internal/reports.js"
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

const chart = Options.boolean("chart").pipe(
  Options.withDescription(
    "Draw the report as bar charts (the biggest keys, the prefixes, the types), as wide as the terminal; " +
      "colours only on a terminal without NO_COLOR."
  )
)

// --chart draws for people, --json writes for programs: one or the other.
const checkChartFlags = (config: { readonly json: boolean; readonly chart: boolean }) =>
  config.json && config.chart
    ? new Errors.UsageError({ message: "--chart draws for people and --json writes for programs: choose one" })
    : Effect.void

/** A report for people: as tables, or with `--chart` as bar charts. */
const reportForPeople = (
  report: OfflineKeyAnalysis.OfflineKeyAnalysisReport,
  task: Option.Option<OfflineKeyAnalysis.OfflineKeyAnalysisRecord>,
  chart: boolean
): string =>
  chart && Output.hasReport(report)
    ? `${Output.reportDetails(report, task)}\n\n${Reports.reportCharts(report, Reports.chartStyle())}`
    : Output.reportText(report, task)

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
    chart,
    connection: Connection.options
  },
  (config) =>
    Effect.zipRight(
      checkChartFlags(config),
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
                : reportForPeople(report, Option.some(task), config.chart)
            )
          })
        )
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
  { instanceId, taskId, json: resultAsJson, chart, connection: Connection.options },
  (config) =>
    Effect.zipRight(
      checkChartFlags(config),
      withClient(
        config.connection,
        Effect.flatMap(
          DcsClient.showOfflineKeyAnalysisTask({ instanceId: config.instanceId, taskId: config.taskId }),
          (report) =>
            Console.log(
              config.json
                ? Format.json(Format.reportJson(report))
                : reportForPeople(report, Option.none(), config.chart)
            )
        )
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
// diff, report
// ---------------------------------------------------------------------------------------------

/** The report of a task that has one; `NoReport` for a task that has not succeeded. */
const reportOf = (instanceId: string, taskId: string) =>
  Effect.flatMap(
    DcsClient.showOfflineKeyAnalysisTask({ instanceId, taskId }),
    (found) => Output.hasReport(found) ? Effect.succeed(found) : Effect.fail(new Reports.NoReport({ taskId }))
  )

const diffConfig = {
  instanceId,
  taskIds: Args.text({ name: "task-id" }).pipe(
    Args.withDescription("The task before, then the task after (without --last)."),
    Args.between(0, 2)
  ),
  last: Options.boolean("last").pipe(
    Options.withDescription(
      "Compare the two latest successful analyses of one node: --node's, or the node of the latest analysis."
    )
  ),
  node: Options.text("node").pipe(
    Options.withDescription("With --last: the node whose analyses are compared."),
    Options.withPseudoName("NODE-ID"),
    Options.optional
  ),
  failOnGrowth: Options.text("fail-on-growth").pipe(
    Options.withDescription(
      "Exit with code 1 when a prefix, a type or the total surely grew by at least this much, e.g. 20%. " +
        "A growth the reports only bound counts by its lower end."
    ),
    Options.withPseudoName("PERCENT"),
    Options.mapEffect((text) =>
      Option.match(Reports.parsePercent(text), {
        onNone: () =>
          CliOptions.invalidValue(`--fail-on-growth must be a positive percentage such as 20%, got "${text}"`),
        onSome: Effect.succeed
      })
    ),
    Options.optional
  ),
  failOnGrowthBytes: Options.text("fail-on-growth-bytes").pipe(
    Options.withDescription(
      "Exit with code 1 when a prefix, a type or the total surely grew by at least this size, e.g. 100MiB " +
        "or 1.5GB. With --fail-on-growth, an entry must cross both."
    ),
    Options.withPseudoName("SIZE"),
    Options.mapEffect((text) =>
      Option.match(Reports.parseBytes(text), {
        onNone: () =>
          CliOptions.invalidValue(
            `--fail-on-growth-bytes must be a positive size such as 100MiB or 1.5GB, got "${text}"`
          ),
        onSome: Effect.succeed
      })
    ),
    Options.optional
  ),
  limit: CliOptions.integerAtLeast("limit", 1, "The keys and prefixes that changed most to show (default 12).").pipe(
    Options.optional
  ),
  json: CliOptions.json(
    "Print the whole comparison as one JSON document (every key, prefix and type; see the README for its shape)."
  ),
  connection: Connection.options
} as const

type DiffConfig = Command.Command.ParseConfig<typeof diffConfig>

const checkDiffFlags = (config: DiffConfig): Effect.Effect<void, Errors.UsageError> => {
  if (config.last && config.taskIds.length > 0) {
    return new Errors.UsageError({ message: "--last picks both analyses: give no task ids with it" })
  }
  if (!config.last && config.taskIds.length !== 2) {
    return new Errors.UsageError({
      message: "diff compares two tasks: give the task before and the task after, or --last"
    })
  }
  if (!config.last && Option.isSome(config.node)) {
    return new Errors.UsageError({ message: "--node chooses the node of --last; two task ids say which analyses" })
  }
  return Effect.void
}

// The two latest successful analyses of one node: --node's, or the node of the latest analysis.
const lastTwo = (config: DiffConfig) =>
  Effect.gen(function*() {
    const given = Option.getOrUndefined(config.node)
    const latest = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: config.instanceId, nodeId: given })
    const nodeId = given ?? Option.getOrUndefined(latest.report.nodeId) ??
      (yield* DcsClient.listOfflineKeyAnalysisNodes({ instanceId: config.instanceId, taskId: latest.task.id }))[0]?.id
    const previous = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: config.instanceId, nodeId })
    if (!config.json) {
      yield* Console.error(
        `comparing the last two successful analyses of ${nodeId === undefined ? "the instance" : `node ${nodeId}`}: ` +
          `${previous.task.id} (before) and ${latest.task.id} (after)`
      )
    }
    return [previous.report, latest.report] as const
  })

/**
 * `diff <instance-id> <task-before> <task-after>` or `diff <instance-id> --last [--node <node-id>]`:
 * what changed between two analyses; `--fail-on-growth` makes growth an exit code.
 *
 * @since 0.2.0
 * @category commands
 */
export const diff = Command.make(
  "diff",
  diffConfig,
  (config) =>
    Effect.zipRight(
      checkDiffFlags(config),
      withClient(
        config.connection,
        Effect.gen(function*() {
          const [before, after] = config.last
            ? yield* lastTwo(config)
            : yield* Effect.all([
              reportOf(config.instanceId, config.taskIds[0]!),
              reportOf(config.instanceId, config.taskIds[1]!)
            ])
          const comparison = ReportComparison.compareReports(before, after)
          const threshold = { ratio: config.failOnGrowth, bytes: config.failOnGrowthBytes }
          yield* Console.log(
            config.json
              ? Format.json(Reports.comparisonJson(comparison, threshold))
              : Reports.comparisonText(comparison, Reports.chartStyle(), Option.getOrElse(config.limit, () => 12))
          )
          const entries = Reports.crossed(comparison, threshold)
          if (entries.length > 0) return yield* new Reports.GrowthThresholdCrossed({ threshold, entries })
        })
      )
    )
).pipe(
  Command.withDescription(
    "Compare two analyses: what grew and shrank most (keys, prefixes, types, totals). The service lists only " +
      "the top 20 keys and prefixes, so an entry new in a list grew by \"at least\" what is shown."
  )
)

/**
 * `report <instance-id> <task-id> [--compare <task-id>] [--out FILE] [--open]`: writes the
 * self-contained HTML page of a report (or of a comparison) and prints its path.
 *
 * @since 0.2.0
 * @category commands
 */
export const report = Command.make(
  "report",
  {
    instanceId,
    taskId,
    compare: Options.text("compare").pipe(
      Options.withDescription("An earlier task to compare with: the page shows what changed since it."),
      Options.withPseudoName("TASK-ID"),
      Options.optional
    ),
    out: Options.text("out").pipe(
      Options.withDescription(
        "Where to write the page; default dcs-report-<instance-id>-<task-id>.html in the current directory."
      ),
      Options.withPseudoName("FILE"),
      Options.optional
    ),
    open: Options.boolean("open").pipe(
      Options.withDescription("Open the page in the default browser (xdg-open, open or start), where there is one.")
    ),
    connection: Connection.options
  },
  (config) =>
    withClient(
      config.connection,
      Effect.gen(function*() {
        const after = yield* reportOf(config.instanceId, config.taskId)
        const html = yield* Option.match(config.compare, {
          onNone: () => Effect.succeed(HtmlReport.renderReport(after)),
          onSome: (beforeId) =>
            Effect.map(
              reportOf(config.instanceId, beforeId),
              (before) => HtmlReport.renderComparison(ReportComparison.compareReports(before, after))
            )
        })
        const path = Path.resolve(
          Option.getOrElse(
            config.out,
            () => Reports.defaultReportPath(config.instanceId, config.taskId, config.compare)
          )
        )
        const fs = yield* FileSystem.FileSystem
        yield* fs.writeFileString(path, html).pipe(
          Effect.mapError((error) =>
            new Errors.ConfigurationError({ message: `cannot write ${path}: ${error.message}` })
          )
        )
        yield* Console.log(path)
        if (config.open) {
          const opened = yield* Reports.openFile(path)
          yield* Console.error(
            opened
              ? "opened in the default browser"
              : "no browser opener here (xdg-open, open, start): open the file in a browser yourself"
          )
        }
      })
    )
).pipe(
  Command.withDescription(
    "Write the report of an analysis (or, with --compare, what changed since another) as one HTML page that " +
      "needs no network: charts, light and dark, printable, with the report's data inside."
  )
)

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
  Command.withSubcommands([list, analyze, show, deleteTask, wait, nodes, instances, fleet, diff, report])
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
