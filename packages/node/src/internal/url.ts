/**
 * URL checks shared by the configuration readers.
 *
 * @since 0.1.0
 */

/**
 * Whether a value is an absolute http(s) URL without credentials, query or fragment: what an
 * endpoint may be.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return (url.protocol === "http:" || url.protocol === "https:") && url.username === "" && url.password === "" &&
      url.search === "" && url.hash === "" && !value.includes("?") && !value.includes("#")
  } catch {
    return false
  }
}

/**
 * Whether a value is a region name such as `cn-north-4`: lower-case letters and digits in
 * dash-separated words, so that it cannot change the host of `dcs.{region}.myhuaweicloud.com`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRegionName = (value: string): boolean => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value)
