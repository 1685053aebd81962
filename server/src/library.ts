/**
 * The server as a library: built into dist/server.js beside dist/main.js, so a benchmark can start the same
 * bundled JavaScript that `pnpm start` runs (no TypeScript loader compiling the sources in the process it
 * measures) and still talk to it in-process.
 */
export { testConfig } from "./env";
export { type RunningGloss, startGloss } from "./server";
