package platform

import "time"

type location struct {
	seed  LocationSeed
	nodes []*node
	cloud bool // holds dynamic-bursting overflow nodes
}

type node struct {
	seed      NodeSeed
	statusID  int
	loc       *location
	boot      time.Time
	failed    bool
	failedAt  time.Time
	tokens    int // media tokens in use
	signaling int // calls signalled through this node
	cloud     *cloudState
	loadAlarm *alarm
	downAlarm *alarm
}

// available reports whether the node can take media now.
func (n *node) available() bool {
	if n.failed || n.seed.NodeType == "PROXYING" {
		return false
	}
	return n.cloud == nil || n.cloud.state == cloudRunning
}

func (n *node) maxTokens() int {
	if n.seed.NodeType == "PROXYING" || (n.cloud != nil && n.cloud.state != cloudRunning) {
		return 0
	}
	return n.seed.MaxHDCalls * tokensHD
}

// load is the media load in percent, capped at 100; unavailable cloud nodes report 100 as
// real ones do.
func (n *node) load() float64 {
	if n.cloud != nil && n.cloud.state != cloudRunning {
		return 100
	}
	m := n.maxTokens()
	if m == 0 {
		return 0
	}
	return min(100, float64(n.tokens)*100/float64(m))
}

const (
	cloudStopped  = "stopped"
	cloudStarting = "starting"
	cloudRunning  = "running"
	cloudStartup  = 90 * time.Second
)

type cloudState struct {
	state      string
	instanceID string
	ip         string
	launch     time.Time
	readyAt    time.Time
	idleSince  time.Time
}

// Media token costs per call class.
const (
	tokensAudio  = 1
	tokensSD     = 6
	tokensHD     = 12
	tokensFullHD = 24
)

type mediaClass int

const (
	classAudio mediaClass = iota
	classSD
	classHD
	classFullHD
)

func (c mediaClass) tokens() int {
	return [...]int{tokensAudio, tokensSD, tokensHD, tokensFullHD}[c]
}

type conference struct {
	id          string
	svc         Service
	start       time.Time
	started     bool
	locked      bool
	guestsMuted bool
	parts       []*participant
	shards      []*shard
	backplanes  []*backplane
	left        []Object // history records of participants who already left
	lastEnd     time.Time
	wire        Object
}

type shard struct {
	id    string
	node  *node
	start time.Time
}

type backplane struct {
	id      string
	home    *node
	remote  *node
	start   time.Time
	streams []*stream
}

type waitReason int

const (
	notWaiting waitReason = iota
	waitLocked
	waitHost
)

type participant struct {
	id, callUUID, conversationID string
	conf                         *conference

	displayName, alias, source, dest string
	localAlias, remoteAlias          string
	protocol, vendor, remoteAddr     string
	remotePort                       int
	role, direction, encryption      string
	serviceType                      string
	loc                              *location
	media, signalling, proxy         *node

	connect  time.Time
	legStart time.Time // start of the current conference leg after a transfer; zero = connect
	admitted time.Time
	leaveAt  time.Time // activity's planned leave; zero = stays
	class    mediaClass
	callRate int

	muted, presenting, onHold, streaming, presSupported bool
	auto                                                bool
	waiting                                             waitReason

	q       quality
	streams []*stream
	ended   []*stream // streams that stopped during the call (presentation)
	wire    Object
}

type stream struct {
	id, kind         string
	node             *node
	start, end, last time.Time
	rxCodec, txCodec string
	rxRes, txRes     string
	rxRate, txRate   int // kbps
	fps              float64
	rxPPS, txPPS     float64
	rxLoss, txLoss   float64 // percent, current window
	rxJit, txJit     float64 // ms
	rxRecv, rxLost   float64
	txSent, txLost   float64
}

type alarm struct {
	id         int
	identifier int
	name       string
	level      string
	details    string
	instance   string
	node       *node
	raised     time.Time
}

type registration struct {
	id                 int
	alias, regID, user string
	node               *node
	protocol, remote   string
	vendor             string
	natted             bool
	start              time.Time
	active             bool
}

type ringingCall struct {
	id       string
	answerAt time.Time
	req      joinReq
}
