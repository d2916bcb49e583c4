// Package e2e holds Coffer's integration tests: they build the coffer
// binary (a test build, with the fakeclock tag), start real servers on
// loopback and drive them with real AWS clients: aws-sdk-go-v2, the AWS
// CLI, and the AWS SDK for JavaScript.
//
// A test that needs a tool the machine lacks skips with a message naming
// what to install, except under CI=true, where a missing tool fails the run.
package e2e
