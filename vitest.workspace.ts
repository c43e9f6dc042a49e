// The test projects. The root vitest.config.ts passes this list as `test.projects`
// (vitest 3.2 deprecates workspace files read on their own).
export default ["packages/*", "examples"]
