package netcmd

import (
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fogctl/fogctl/cmd/cmdutil"
	"github.com/fogctl/fogctl/netoverlay"
)

// The records below are what -o json and -o yaml print: their field names
// are a public contract (scripts read them), tested in net_test.go.

// networkRecord is a controller network.
type networkRecord struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Private    bool               `json:"private"`
	AssignIPv4 bool               `json:"assignIPv4"`
	Pools      []netoverlay.Pool  `json:"pools"`
	Routes     []netoverlay.Route `json:"routes"`
	Created    time.Time          `json:"created"`
	Revision   int                `json:"revision"`
	Members    int                `json:"members"`
	Authorized *int               `json:"authorized,omitempty"`
	Pending    *int               `json:"pending,omitempty"`
}

func newNetworkRecord(n netoverlay.Network) networkRecord {
	r := networkRecord{
		ID: n.ID, Name: n.Name, Private: n.Private, AssignIPv4: n.V4AssignMode.ZT,
		Pools: n.IPAssignmentPools, Routes: n.Routes, Revision: n.Revision,
		Created: time.UnixMilli(n.CreationTime).UTC(),
	}
	if r.Pools == nil {
		r.Pools = []netoverlay.Pool{}
	}
	if r.Routes == nil {
		r.Routes = []netoverlay.Route{}
	}
	return r
}

// memberRecord is a member of a controller network.
type memberRecord struct {
	ID         string    `json:"id"`
	NetworkID  string    `json:"networkId"`
	Status     string    `json:"status"` // "pending" or "authorized"
	Authorized bool      `json:"authorized"`
	IPs        []string  `json:"ips"`
	Name       string    `json:"name,omitempty"`
	Version    string    `json:"version,omitempty"` // empty until the node has been authorized once
	Created    time.Time `json:"created"`
}

func newMemberRecord(m netoverlay.Member) memberRecord {
	r := memberRecord{
		ID: m.ID, NetworkID: m.NetworkID, Status: "authorized", Authorized: m.Authorized,
		IPs: m.IPAssignments, Name: m.Name, Created: time.UnixMilli(m.CreationTime).UTC(),
	}
	if m.Pending() {
		r.Status = "pending"
	}
	if r.IPs == nil {
		r.IPs = []string{}
	}
	if m.VMajor >= 0 {
		r.Version = itoa(m.VMajor) + "." + itoa(m.VMinor) + "." + itoa(m.VRev)
	}
	return r
}

// joinedRecord is a network as this node sees it.
type joinedRecord struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Status    string   `json:"status"`
	Type      string   `json:"type"`
	Device    string   `json:"device"`
	MAC       string   `json:"mac"`
	Addresses []string `json:"addresses"`
}

func newJoinedRecord(n netoverlay.JoinedNetwork) joinedRecord {
	r := joinedRecord{ID: n.ID, Name: n.Name, Status: n.Status, Type: n.Type, Device: n.PortDeviceName, MAC: n.MAC, Addresses: n.AssignedAddresses}
	if r.Addresses == nil {
		r.Addresses = []string{}
	}
	return r
}

// statusRecord is `fogctl net status`: the node and its networks.
type statusRecord struct {
	Address  string         `json:"address"`
	Online   bool           `json:"online"`
	Version  string         `json:"version"`
	Networks []joinedRecord `json:"networks"`
}

func itoa(i int) string { return strconv.Itoa(i) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// table is cmdutil's table with every cell made plain: text from the
// service (a network's name, a node's status) may hold a newline or tab
// that would split a line or a column of plain output, or an escape
// sequence a terminal would obey.
type table struct{ *cmdutil.Table }

func newTable(io *cmdutil.IOStreams) table { return table{cmdutil.NewTable(io)} }

// Row writes one row of plain cells.
func (t table) Row(fields ...string) {
	for i, f := range fields {
		fields[i] = plain(f)
	}
	t.Table.Row(fields...)
}

// plain is s, or s quoted as a Go string ("fleet\nb") when it holds a
// control or unprintable character.
func plain(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || (r != ' ' && !unicode.IsPrint(r)) {
			return strconv.Quote(s)
		}
	}
	return s
}
