package platform

import (
	"fmt"
	"strings"
)

// displayNames mixes scripts and languages with a few hostile names, so that every page of
// the console exercises its escaping on data chosen by callers.
var displayNames = []string{
	"Alice Parkes", "Bob Jensen", "Chloé Moreau", "Dmitri Ivanov", "Erik Sørensen",
	"Fatima Al-Sayed", "Giulia Rossi", "Hiroshi Tanaka", "Ingrid Bjørnstad", "Jamal Okafor",
	"Kari Nordmann", "李伟", "María José García", "Nils Ødegård", "Ольга Смирнова",
	"Priya Ramanathan", "Quentin Dupont", "Rosa Martínez", "Søren Kierkegaard", "Tomasz Wójcik",
	"Ursula Schäfer", "Vikram Singh", "王芳", "Ximena Cruz", "Yusuf Demir", "Zoë van Dijk",
	"田中 美咲", "محمد عبدالله", "Αλέξανδρος Παπαδόπουλος", "Björn Åkesson",
	"Meeting Room 4.12", "Oslo Boardroom", "NYC Huddle 3", "London Reception Desk",
	"<img src=x onerror=alert(1)>", `" onmouseover="alert(1)`, "javascript:alert(1)",
	"Robert'); DROP TABLE participants;--", "{{7*7}} ${7*7}",
}

// Wire protocol names.
const (
	protoWebRTC = "WebRTC"
	protoSIP    = "SIP"
	protoH323   = "H323"
	protoMSSIP  = "MSSIP"
	protoRTMP   = "RTMP"
	protoTeams  = "TEAMS"
	protoGMS    = "GMS"
)

// normProtocol maps a protocol in any case (dial uses lower case) to its wire name; ok is
// false for an unknown one.
func normProtocol(s string) (string, bool) {
	for _, p := range []string{protoWebRTC, protoSIP, protoH323, protoMSSIP, protoRTMP, protoTeams, protoGMS} {
		if strings.EqualFold(s, p) {
			return p, true
		}
	}
	return "", false
}

var vendorsByProtocol = map[string][]string{
	protoWebRTC: {
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
		"Pexip Infinity Connect/2.3.0 (Windows)",
	},
	protoSIP: {
		"Cisco Webex Room Kit/ce11.14.1", "Cisco Codec Pro/RoomOS 11.9", "Poly Studio X50/4.1.0",
		"Poly Group 500/6.2.2", "Lifesize Icon 600/3.6", "Yealink MeetingBar A30/133.30",
	},
	protoH323: {
		"TANDBERG (Tandberg 257)", "Cisco SX20/TC7.3.21", "Polycom HDX 8000/3.1.14",
		"Lifesize Express 220/5.0.9", "Polycom RealPresence Group 310/6.1.7",
	},
	protoMSSIP: {
		"UCCAPI/16.0.5356.1000 OC/16.0.5356.1000 (Skype for Business)",
		"RTCC/7.0.0.0 UCWA/7.0.0.0 (Skype for Business Server 2019)",
	},
	protoRTMP:  {"Pexip RTMP streaming client", "nginx-rtmp/1.2.2"},
	protoTeams: {"Microsoft Teams/24193.1805.3040.8975"},
	protoGMS:   {"Google Meet interop"},
}

type codecSet struct {
	audio, video string
}

func codecsFor(protocol string, pick int) codecSet {
	switch protocol {
	case protoWebRTC:
		return []codecSet{{"opus", "VP8"}, {"opus", "VP9"}, {"opus", "H264"}}[pick%3]
	case protoSIP:
		return []codecSet{{"G.722", "H264"}, {"opus", "H264"}, {"G.711", "H264"}}[pick%3]
	case protoH323:
		return []codecSet{{"G.722", "H264"}, {"G.711", "H264"}}[pick%2]
	case protoMSSIP:
		return codecSet{"G.722", "H264"}
	case protoRTMP:
		return codecSet{"AAC", "H264"}
	default:
		return codecSet{"opus", "H264"}
	}
}

func resolutionFor(c mediaClass, tx bool) string {
	switch c {
	case classSD:
		return map[bool]string{false: "640x360", true: "768x448"}[tx]
	case classHD:
		return map[bool]string{false: "1280x720", true: "1280x720"}[tx]
	case classFullHD:
		return "1920x1080"
	default:
		return ""
	}
}

func callRateFor(c mediaClass) int {
	return [...]int{64, 768, 1536, 2560}[c]
}

// pickProtocol draws a protocol with the demo's mix: mostly WebRTC and SIP.
func (p *Platform) pickProtocol() string {
	r := p.rng.IntN(100)
	switch {
	case r < 45:
		return protoWebRTC
	case r < 75:
		return protoSIP
	case r < 87:
		return protoH323
	case r < 96:
		return protoMSSIP
	case r < 98:
		return protoTeams
	default:
		return protoRTMP
	}
}

func (p *Platform) pickDisplayName() string {
	return displayNames[p.rng.IntN(len(displayNames))]
}

func (p *Platform) pickVendor(protocol string) string {
	v := vendorsByProtocol[protocol]
	if len(v) == 0 {
		return "Unknown"
	}
	return v[p.rng.IntN(len(v))]
}

func (p *Platform) pickClass(protocol string) mediaClass {
	r := p.rng.IntN(100)
	switch {
	case protocol == protoRTMP || protocol == protoTeams:
		return classHD
	case r < 8:
		return classAudio
	case r < 25:
		return classSD
	case r < 90:
		return classHD
	default:
		return classFullHD
	}
}

func (p *Platform) pickAddress() string {
	return fmt.Sprintf("10.%d.%d.%d", 100+p.rng.IntN(50), p.rng.IntN(256), 2+p.rng.IntN(250))
}
