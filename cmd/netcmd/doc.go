// Package netcmd implements `fogctl net`: the ZeroTier overlay, through the
// local ZeroTier One service of this machine (node commands: join, leave,
// status, wait) and its embedded network controller on the fog server
// (create, list, show, delete, pool, members, ip, authorize, deauthorize).
//
// It owns the flags and environment variables that find the service and
// its auth token, the tables and -o json|yaml records, and the mapping of
// netoverlay errors to one-line messages and exit codes (2 for input
// refused before sending, 1 for everything else), and the host-wide
// per-network lock (/run/lock/fogctl-net-<nwid>.lock, see lockNetwork)
// that makes the changing commands of one host, whoever runs them, take
// turns from read to read-back. It keeps the overlay data of
// the fleet file (cluster.Fleet) in step with what it changes: authorize
// and join record it, delete clears it, ip add and rm move the overlay
// IP. All ZeroTier logic lives
// in netoverlay; netcmd never builds a request itself and never takes the
// token as a flag value (argv is visible in ps).
package netcmd
