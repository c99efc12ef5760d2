/**
 * The sessions tests' helpers: the shared test kit (test/support) under the names these tests
 * use. Nothing here is a second implementation.
 */
export {
  ECHO, TEST_TOKEN as TOKEN, cleanup, sessionsApp as makeApp,
  type SessionsAppOptions as AppOptions, type SessionsTestApp as TestApp,
} from '../../test/support/app.js';
export { nextEvent, pollUntil, waitForText, waitState } from '../../test/support/wait.js';
export { groupGone, processGone, waitGone, waitGroupGone } from '../../test/support/process.js';
