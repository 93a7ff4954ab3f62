// Package cluster owns what fogctl knows about the fleet's clusters: the
// user's kubeconfig files (read merged with kubectl's precedence, edited in
// place so that everything fogctl did not change survives byte for byte),
// fogctl's fleet file (labels and overlay data per context), label
// selection, and the resolved Endpoint of each context.
//
// cluster never prints, never prompts and never reads flags: it takes
// paths, an io.Writer or a context.Context from its caller. It never
// rewrites a file it did not change and never overwrites a kubeconfig that
// does not parse.
package cluster
