/** The metrics tests use the one test kit. */
export { CAT, createKey, testApp } from '../../test/support/app.js';
