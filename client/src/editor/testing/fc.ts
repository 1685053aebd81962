/**
 * fast-check for the editor's tests. It is installed for the test/ package only (the client package does not
 * list it), so it is reached by path; with fast-check in client's devDependencies this becomes
 * `export * from "fast-check"`.
 */
export * from "../../../../test/node_modules/fast-check/lib/fast-check.js";
export { default } from "../../../../test/node_modules/fast-check/lib/fast-check.js";
