// The same end-to-end file, run against the newest tested Claude Code release.
process.env.AEGIS_TEST_CLAUDE = 'latest';
await import('../conversation.test.js');
