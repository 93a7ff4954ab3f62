// Package workflow owns fogctl's workflow files and its DAG engine: parsing
// (fogctl's Workflow format and the reference engine's plain DAG files),
// validation that reports every problem at once with file, line and node,
// and Run, which executes the nodes as their dependencies finish and
// reports state changes as Events on a channel.
//
// workflow never prints and never touches a terminal: callers read the
// event channel and render it (cmd/runcmd for plain and JSON lines, tui/
// for the live DAG). It never writes files either: workflow/runstore
// records runs from the events.
//
// # Files
//
// Parse and Load accept YAML or JSON, in one of two formats:
//
//   - fogctl's: apiVersion: fogctl.io/v1alpha1, kind: Workflow,
//     metadata.name (and description, and labels and annotations whose
//     values are strings), spec.defaults (timeout, retries, backoff) and
//     spec.nodes, each with name, kind (http, exec or noop), dependencies,
//     timeout, retries, backoff, when, and the kind's fields: method, url
//     and headers for http (method defaults to POST), argv, env and dir
//     for exec. A noop node runs nothing, in one attempt: timeout,
//     retries and backoff, which every node has, have no effect on it
//     (a warning says so) and it takes no retries from spec.defaults.
//     Unknown fields are errors.
//   - the reference engine's plain DAG: a top-level nodes: list of
//     {name, action, url, dependencies}, action being the HTTP method.
//     Such nodes are http nodes with no retries and the run's default
//     timeout; other keys are ignored, as that engine ignores them, but
//     each is reported once as a warning (Workflow.Warnings), with a
//     "did you mean" for a near miss of a known key.
//
// A node name has no control character, no comma (--rerun a,b and the
// text graph separate names with commas) and no leading or trailing
// space. Files are UTF-8, with or without a byte order mark.
//
// Every rejection is a *ValidationError listing every problem found (up
// to 1000), each with file, line, node and field.
//
// # Inputs and outputs
//
// A root node's input is the run's input (Options.Input, {} by default).
// Any other node's input is the deep merge of its dependencies' outputs,
// taken in the order its dependencies: list names them:
//
//   - objects merge key by key, recursively;
//   - on a conflicting key the later dependency wins;
//   - any other value (array, string, number, boolean, null) is not merged:
//     the later one replaces the earlier, so arrays are replaced, never
//     concatenated, and a dependency whose whole output is not an object
//     replaces everything merged before it (and is itself replaced by any
//     later output);
//   - a node with one dependency gets that output byte for byte.
//
// The merged input is encoded with object keys sorted, so it does not
// depend on timing. Numbers keep their exact digits. A when: always node
// whose dependency failed merges the outputs of the dependencies that
// succeeded, or {} if none did. MergeOutputs applies the same rule.
//
// An http node sends its input as the JSON request body (GET and HEAD
// send none when the input is {}) and its output is the JSON response; an
// empty response body is {}. A HEAD response has no body, whatever
// Content-Length it announces, and neither have 204 and 304 responses:
// such a node's output is {} (a HEAD node checks that a URL answers
// below 400; its headers are not kept). A status >= 400, a connection error or a
// body that is not JSON fails the attempt, naming the status and quoting
// up to 512 bytes of the body. An exec node gets its input on stdin; its
// stdout, JSON ({} when empty), is its output; a non-zero exit fails the
// attempt with the exit status and the last stderr line. An exec node
// runs in its dir:, relative to the workflow file's directory, or else in
// that directory itself, wherever fogctl runs from (cron, --resume from
// elsewhere); when that directory is gone (a recorded copy run again by
// --resume), in fogctl's own working directory. An exec node
// runs in its own process group: whatever it leaves running in the
// background is killed when it ends. A response or
// stdout larger than 64 MiB fails the attempt. A noop node outputs its
// input.
//
// # Failures, timeouts, retries, cancellation
//
// Each attempt of an http or exec node has a deadline: the node's
// timeout, else spec.defaults.timeout, else Options.DefaultTimeout, else
// 30s. A failed attempt is retried up to retries times; before retry k
// the node waits backoff·2^(k-1) (at most 30s) with equal jitter, a
// random point in its upper half. A node that fails for good is failed;
// its dependants are upstream-failed and never run, unless they say
// when: always; the run fails. Cancelling Run's context cancels running
// attempts through their contexts (an exec node's whole process group is
// killed); nodes not started are cancelled, and the run ends cancelled.
// Options.Parallel bounds the http and exec nodes running at once.
//
// # Events
//
// Run's channel carries, in order: the run's running event (Node == ""),
// node events, and the run's terminal event, after which it is closed.
// A node that runs goes running (attempt 1, with its input), possibly
// retrying and running again, then succeeded (with its output), failed
// or cancelled. noop and reused nodes go straight from pending to
// succeeded, with input and output on that one event (a reused node's
// has no attempt, and says reused and the run reused from); upstream-failed
// nodes go straight from pending to upstream-failed. Event Seq counts
// from 1 without gaps, and a node's events come after the final events of
// its dependencies. The run's final event says succeeded, failed (Error
// names the first node that failed, and how many more did) or cancelled.
// The engine never waits for a slow reader: events it cannot put in the
// channel wait in a queue that the run's goroutine drains.
//
// Events carry Input and Output up to MaxEventData (256 KiB) each; a
// larger one is replaced by {"fogctl.truncated": {"bytes": N, "excerpt":
// "..."}} with Truncated set (IsTruncated tells), and --resume re-runs
// such a node rather than reuse it. Stderr keeps its last MaxStderr
// (64 KiB). The engine itself always passes complete data between nodes.
//
// Record folds events into the run record that the run store keeps and
// -o json prints.
//
// # Sharing
//
// A Workflow is read-only once parsed and may serve many concurrent runs;
// each run keeps its own state and, unless Options.HTTPClient is given,
// its own HTTP client, closed when the run ends.
package workflow
