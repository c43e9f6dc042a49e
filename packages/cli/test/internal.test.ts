/**
 * The tool's formatting, tables, error reports and configuration overrides, in process.
 */
import { DcsNotFound, DcsTransportError, DcsUnauthorized } from "@effect-dcs/core/DcsError"
import { OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import { describe, expect, it } from "@effect/vitest"
import { ConfigError, Duration, Option, Schema } from "effect"
import { overrides } from "../src/internal/connection.js"
import { configErrorLines, ExitCode, report, statusLine, UsageError } from "../src/internal/errors.js"
import * as Format from "../src/internal/format.js"
import * as Reports from "../src/internal/reports.js"
import * as Table from "../src/internal/table.js"

const flags = {
  endpoint: Option.none<string>(),
  region: Option.none<string>(),
  projectId: Option.none<string>(),
  skFile: Option.none<string>(),
  emulator: false
}

describe("format", () => {
  it("sizes, counts, durations", () => {
    expect(Format.bytes(512)).toBe("512 B")
    expect(Format.bytes(1536)).toBe("1.5 KiB")
    expect(Format.bytes(25_769_803_776)).toBe("24.0 GiB")
    expect(Format.count(18_761_064)).toBe("18,761,064")
    expect(Format.duration(850)).toBe("850ms")
    expect(Format.duration(12_400)).toBe("12s")
    expect(Format.duration(125_000)).toBe("2m 05s")
    expect(Format.duration(3_720_000)).toBe("1h 02m")
  })

  it("reads durations as people type them", () => {
    const millis = (text: string) => Option.map(Format.parseDuration(text), Duration.toMillis)
    expect(millis("90")).toEqual(Option.some(90_000))
    expect(millis("90s")).toEqual(Option.some(90_000))
    expect(millis("10m")).toEqual(Option.some(600_000))
    expect(millis("1h30m")).toEqual(Option.some(5_400_000))
    expect(millis("500ms")).toEqual(Option.some(500))
    expect(millis("10 minutes")).toEqual(Option.some(600_000))
    for (const bad of ["", "0", "0s", "-5s", "soon", "10x", "Infinity"]) expect(millis(bad)).toEqual(Option.none())
  })

  it("tables: columns two spaces apart, numbers to the right, no trailing blanks", () => {
    const text = Table.render([{ header: "KEY" }, { header: "SIZE", align: "right" }], [["a", "1 B"], [
      "longer",
      "10.5 MiB"
    ]])
    expect(text).toBe("KEY         SIZE\na            1 B\nlonger  10.5 MiB")
  })
})

describe("errors", () => {
  const unauthorized = new DcsUnauthorized({
    status: 401,
    errorCode: "APIGW.0301",
    errorMsg: "Incorrect IAM authentication information",
    requestId: "abc123"
  })

  it("a response's error: error_code: error_msg (request id …), exit code 1", () => {
    expect(statusLine(unauthorized)).toBe("APIGW.0301: Incorrect IAM authentication information (request id abc123)")
    expect(statusLine(new DcsNotFound({ status: 404, errorCode: "", errorMsg: "not found" }))).toBe(
      "HTTP 404: not found (no request id)"
    )
    expect(report(unauthorized).code).toBe(ExitCode.apiError)
    const streamed = report(new DcsNotFound({ status: 404, errorCode: "DCS.4401", errorMsg: "gone", offset: 300 }))
    expect(streamed.lines).toContain("hint: the listing stopped at offset 300; resume with --all --offset 300")
  })

  it("usage and configuration errors: exit code 2", () => {
    expect(report(new UsageError({ message: "no" }))).toEqual({ code: ExitCode.usage, lines: ["no"] })
    const missing = ConfigError.And(
      ConfigError.Or(
        ConfigError.MissingData(["CLOUD_SDK_SK"], "x"),
        ConfigError.MissingData(["HUAWEICLOUD_SDK_SK"], "x")
      ),
      ConfigError.MissingData(["DCS_ENDPOINT"], "x")
    )
    expect(report(missing).code).toBe(ExitCode.usage)
    expect(configErrorLines(missing).slice(0, 2)).toEqual([
      "configuration error: missing CLOUD_SDK_SK or HUAWEICLOUD_SDK_SK",
      "configuration error: missing DCS_ENDPOINT"
    ])
    const malformed = ConfigError.Or(
      ConfigError.InvalidData(["DCS_ENDPOINT"], "DCS_ENDPOINT must be an http(s) URL"),
      ConfigError.MissingData(["DCS_REGION"], "x")
    )
    expect(configErrorLines(malformed)).toEqual(["configuration error: DCS_ENDPOINT must be an http(s) URL"])
    const unsigned = new DcsTransportError({
      reason: "Credentials",
      method: "GET",
      url: "http://x",
      description: "No usable credentials from environment: CLOUD_SDK_SK is not set"
    })
    expect(report(unsigned).code).toBe(ExitCode.usage)
    expect(report(unsigned).lines[0]).toBe(
      "configuration error: No usable credentials from environment: CLOUD_SDK_SK is not set"
    )
    const refused = new DcsTransportError({
      reason: "Connection",
      method: "GET",
      url: "http://x",
      description: "refused"
    })
    expect(report(refused).code).toBe(ExitCode.apiError)
  })
})

describe("configuration overrides", () => {
  it("flags stand for the variables; --endpoint before --region", () => {
    expect(overrides(flags, Option.none())).toEqual(new Map())
    expect(overrides({ ...flags, region: Option.some("cn-north-4") }, Option.some("sk"))).toEqual(
      new Map([
        ["DCS_REGION", "cn-north-4"],
        ["DCS_ENDPOINT", "https://dcs.cn-north-4.myhuaweicloud.com"],
        ["CLOUD_SDK_SK", "sk"]
      ])
    )
    expect(
      overrides(
        {
          ...flags,
          endpoint: Option.some("http://127.0.0.1:1"),
          region: Option.some("cn-north-4"),
          projectId: Option.some("p")
        },
        Option.none()
      )
    ).toEqual(
      new Map([["DCS_REGION", "cn-north-4"], ["DCS_ENDPOINT", "http://127.0.0.1:1"], ["DCS_PROJECT_ID", "p"]])
    )
  })
})

describe("reports: thresholds, terminal, file names", () => {
  it("sizes and percentages", () => {
    expect(Reports.parseBytes("100MiB")).toEqual(Option.some(100 * 2 ** 20))
    expect(Reports.parseBytes("1.5GB")).toEqual(Option.some(1_500_000_000))
    expect(Reports.parseBytes("512 kib")).toEqual(Option.some(512 * 1024))
    expect(Reports.parseBytes("2048")).toEqual(Option.some(2048))
    for (const bad of ["", "0", "-1MiB", "12 parsecs", "1e3", "MiB"]) {
      expect(Reports.parseBytes(bad)).toEqual(Option.none())
    }
    expect(Reports.parsePercent("20%")).toEqual(Option.some(0.2))
    expect(Reports.parsePercent("2.5")).toEqual(Option.some(0.025))
    for (const bad of ["", "0%", "-5%", "twenty", "%"]) expect(Reports.parsePercent(bad)).toEqual(Option.none())
  })

  it("the terminal: its width, 80 or COLUMNS elsewhere; colour only on a terminal without NO_COLOR", () => {
    expect(Reports.chartStyle({ isTTY: true, columns: 132 }, {})).toEqual({ width: 132, color: true })
    expect(Reports.chartStyle({ isTTY: true, columns: 132 }, { NO_COLOR: "1" })).toEqual({ width: 132, color: false })
    expect(Reports.chartStyle({ isTTY: true, columns: 132 }, { NO_COLOR: "" }).color).toBe(true)
    expect(Reports.chartStyle({ isTTY: false }, {})).toEqual({ width: 80, color: false })
    expect(Reports.chartStyle({}, { COLUMNS: "100" })).toEqual({ width: 100, color: false })
    expect(Reports.chartStyle({}, { COLUMNS: "wide" }).width).toBe(80)
  })

  it("default file names are safe whatever the ids", () => {
    expect(Reports.defaultReportPath("i-1", "t-2", Option.none())).toBe("dcs-report-i-1-t-2.html")
    expect(Reports.defaultReportPath("../x", "a/b c", Option.some("t<1>"))).toBe("dcs-report-.._x-a_b_c-vs-t_1_.html")
  })

  it("the growth gate counts a bound by its lower end only", () => {
    // 20 prefixes before (a full top 20, the smallest 100 B); after, `new:` enters with 1,000 B.
    const prefixes = (extra: ReadonlyArray<{ key_prefix: string; bytes: number; num: number }>) => [
      ...Array.from({ length: 20 - extra.length }, (_, i) => ({
        key_prefix: `p${i}:`,
        type: "string",
        bytes: 1000 + i,
        num: 100 + i
      })),
      ...extra.map((prefix) => ({ ...prefix, type: "string" }))
    ]
    const report = (list: ReturnType<typeof prefixes>, typeBytes: number) =>
      Schema.decodeUnknownSync(OfflineKeyAnalysisReport)({
        total_bytes: typeBytes,
        total_num: 10_000,
        largest_key_prefixes: list,
        type_bytes: [{ type: "string", bytes: typeBytes }],
        type_num: [{ type: "string", num: 10_000 }]
      })
    const names = (growths: ReadonlyArray<Reports.SureGrowth>) => growths.map((growth) => growth.name)
    const bytes = (value: number) => ({ ratio: Option.none(), bytes: Option.some(value) })
    const before = report(prefixes([{ key_prefix: "small:", bytes: 100, num: 1 }]), 30_000)

    // `new:` was below the cut-off: its bytes then were at most the type's 30,000. With 1,000 now,
    // it may have shrunk: whatever the threshold, no failure.
    const modest = ReportComparison.compareReports(
      before,
      report(prefixes([{ key_prefix: "new:", bytes: 1000, num: 50 }]), 31_000)
    )
    expect(names(Reports.crossed(modest, bytes(1)))).not.toContain("new:")
    expect(names(Reports.crossed(modest, { ratio: Option.some(0.01), bytes: Option.none() }))).not.toContain("new:")

    // With 50,000 now, it grew by at least 20,000 (and at least 67%): that much, and no more, fails.
    const grown = ReportComparison.compareReports(
      before,
      report(prefixes([{ key_prefix: "new:", bytes: 50_000, num: 50 }]), 80_000)
    )
    const entered = Reports.sureGrowth(grown).find((growth) => growth.name === "new:")!
    expect(entered.label).toBe("at least +19.5 KiB")
    expect(entered.bytes).toBe(20_000)
    expect(names(Reports.crossed(grown, bytes(20_000)))).toContain("new:")
    expect(names(Reports.crossed(grown, bytes(20_001)))).not.toContain("new:")
    expect(names(Reports.crossed(grown, { ratio: Option.some(0.66), bytes: Option.none() }))).toContain("new:")
    expect(names(Reports.crossed(grown, { ratio: Option.some(0.67), bytes: Option.none() }))).not.toContain("new:")
    // Both thresholds: both must be crossed.
    expect(names(Reports.crossed(grown, { ratio: Option.some(0.5), bytes: Option.some(20_001) }))).not.toContain("new:")
    expect(Reports.crossed(grown, { ratio: Option.none(), bytes: Option.none() })).toEqual([])
  })

  it("no growth error when nothing grew: a report compared with itself", () => {
    const same = Schema.decodeUnknownSync(OfflineKeyAnalysisReport)({
      total_bytes: 10,
      total_num: 1,
      type_bytes: [{ type: "string", bytes: 10 }],
      type_num: [{ type: "string", num: 1 }]
    })
    const comparison = ReportComparison.compareReports(same, same)
    expect(Reports.crossed(comparison, { ratio: Option.some(0.0001), bytes: Option.some(1) })).toEqual([])
  })
})
