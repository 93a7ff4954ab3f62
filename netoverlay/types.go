package netoverlay

// NodeStatus is what GET /status says about the node itself.
type NodeStatus struct {
	Address           string `json:"address"`
	Online            bool   `json:"online"`
	Version           string `json:"version"`
	TCPFallbackActive bool   `json:"tcpFallbackActive"`
	Clock             int64  `json:"clock"`
}

// Network statuses a joined network reports (JoinedNetwork.Status).
const (
	StatusOK                      = "OK"
	StatusRequestingConfiguration = "REQUESTING_CONFIGURATION"
	StatusAccessDenied            = "ACCESS_DENIED"
	StatusNotFound                = "NOT_FOUND"
)

// JoinedNetwork is a network this node has joined (GET /network/{id}).
type JoinedNetwork struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Status            string   `json:"status"`
	Type              string   `json:"type"`
	PortDeviceName    string   `json:"portDeviceName"`
	MAC               string   `json:"mac"`
	MTU               int      `json:"mtu"`
	AssignedAddresses []string `json:"assignedAddresses"`
	Routes            []Route  `json:"routes"`
}

// Route is a managed route of a network: traffic to Target goes over the
// overlay (via the LAN of Via when set).
type Route struct {
	Target string  `json:"target"`
	Via    *string `json:"via,omitempty"`
}

// Pool is a range of addresses the controller hands out.
type Pool struct {
	Start string `json:"ipRangeStart"`
	End   string `json:"ipRangeEnd"`
}

// V4AssignMode says whether the controller assigns IPv4 addresses from its
// pools when a node asks for its configuration.
type V4AssignMode struct {
	ZT bool `json:"zt"`
}

// Network is a network as the controller stores it.
type Network struct {
	ID                string       `json:"id"`
	Name              string       `json:"name"`
	Private           bool         `json:"private"`
	CreationTime      int64        `json:"creationTime"` // milliseconds
	Revision          int          `json:"revision"`
	V4AssignMode      V4AssignMode `json:"v4AssignMode"`
	IPAssignmentPools []Pool       `json:"ipAssignmentPools"`
	Routes            []Route      `json:"routes"`
	MTU               int          `json:"mtu"`
	MulticastLimit    int          `json:"multicastLimit"`
	EnableBroadcast   bool         `json:"enableBroadcast"`
}

// NetworkConfig is a change to a controller network: nil fields are left
// as they are.
type NetworkConfig struct {
	Name              *string       `json:"name,omitempty"`
	Private           *bool         `json:"private,omitempty"`
	V4AssignMode      *V4AssignMode `json:"v4AssignMode,omitempty"`
	IPAssignmentPools *[]Pool       `json:"ipAssignmentPools,omitempty"`
	Routes            *[]Route      `json:"routes,omitempty"`
}

// Member is a node as the controller knows it in one network. A member
// that is not Authorized is pending: it asked to join and waits for an
// operator.
type Member struct {
	ID                 string   `json:"id"`
	NetworkID          string   `json:"nwid"`
	Authorized         bool     `json:"authorized"`
	IPAssignments      []string `json:"ipAssignments"`
	Name               string   `json:"name"`
	Revision           int      `json:"revision"`
	CreationTime       int64    `json:"creationTime"`
	LastAuthorizedTime int64    `json:"lastAuthorizedTime"`
	// NoAutoAssignIPs keeps the controller from assigning the member
	// addresses from the pools by itself.
	NoAutoAssignIPs bool `json:"noAutoAssignIps"`
	// Identity is empty until the node itself has talked to the controller.
	Identity string `json:"identity,omitempty"`
	VMajor   int    `json:"vMajor"`
	VMinor   int    `json:"vMinor"`
	VRev     int    `json:"vRev"`
}

// Pending reports whether the member waits for authorization.
func (m Member) Pending() bool { return !m.Authorized }

// memberConfig is a change to a member: nil fields are left as they are.
type memberConfig struct {
	Authorized    *bool     `json:"authorized,omitempty"`
	IPAssignments *[]string `json:"ipAssignments,omitempty"`
}
