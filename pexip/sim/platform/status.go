package platform

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

func itoa(i int) string { return strconv.Itoa(i) }

// Version is the software version every node reports.
const Version = "18.0.0 (34867.0.0)"

// Status lists a status resource ("conference", "participant", "worker_vm", ...) as of the
// last Step; ok is false for a resource the platform does not know. The slice is the
// caller's; the Objects are shared and must not be mutated.
func (p *Platform) Status(resource string) ([]Object, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	build, ok := p.statusBuilders()[resource]
	if !ok {
		return nil, false
	}
	return build(), true
}

func (p *Platform) statusBuilders() map[string]func() []Object {
	return map[string]func() []Object{
		"conference":               p.conferenceList,
		"participant":              p.participantList,
		"conference_shard":         p.shardList,
		"worker_vm":                p.nodeList,
		"system_location":          p.locationList,
		"alarm":                    p.alarmList,
		"registration_alias":       p.registrationList,
		"licensing":                func() []Object { return []Object{p.licensing()} },
		"backplane":                p.backplaneList,
		"cloud_node":               p.cloudNodeList,
		"cloud_monitored_location": func() []Object { return p.cloudLocations(false) },
		"cloud_overflow_location":  func() []Object { return p.cloudLocations(true) },
		"management_vm":            func() []Object { return []Object{p.managementVM()} },
		"conference_sync":          func() []Object { return []Object{} },
		"exchange_scheduler":       func() []Object { return []Object{} },
	}
}

// StatusDetail returns one object of a status resource by its id (for cloud_node, the
// cloud instance id).
func (p *Platform) StatusDetail(resource, id string) (Object, bool) {
	list, ok := p.Status(resource)
	if !ok {
		return nil, false
	}
	key := "id"
	if resource == "cloud_node" {
		key = "cloud_instance_id"
	}
	for _, o := range list {
		if v, has := o[key]; has && fmt.Sprint(v) == id {
			return o, true
		}
		// Objects without an id (licensing) are found by their resource_uri.
		if _, has := o[key]; !has && o["resource_uri"] == statusPrefix+resource+"/"+id+"/" {
			return o, true
		}
	}
	return nil, false
}

// StatusSub returns a sub-resource: ("participant", id, "media_stream") and ("backplane",
// id, "media_stream") give []Object; ("worker_vm" or "system_location", id, "statistics")
// give an Object.
func (p *Platform) StatusSub(resource, id, sub string) (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch resource + "/" + sub {
	case "participant/media_stream":
		pt, ok := p.partByID[id]
		if !ok {
			return nil, false
		}
		uri := statusPrefix + "participant/" + id + "/media_stream/"
		out := make([]Object, 0, len(pt.streams))
		for _, s := range pt.streams {
			out = append(out, streamWire(s, uri, p.now))
		}
		return out, true
	case "backplane/media_stream":
		for _, c := range p.confs {
			for _, b := range c.backplanes {
				if b.id == id {
					uri := statusPrefix + "backplane/" + id + "/media_stream/"
					out := make([]Object, 0, len(b.streams))
					for _, s := range b.streams {
						out = append(out, streamWire(s, uri, p.now))
					}
					return out, true
				}
			}
		}
	case "worker_vm/statistics":
		for _, n := range p.nodes {
			if itoa(n.statusID) == id && !p.hiddenNode(n) {
				return p.statistics(statusPrefix+"worker_vm/"+id+"/statistics/", n.load()), true
			}
		}
	case "system_location/statistics":
		for _, l := range p.locations {
			if itoa(l.seed.ID) == id {
				used, total := l.tokens()
				return p.statistics(statusPrefix+"system_location/"+id+"/statistics/", loadOf(used, total)), true
			}
		}
	}
	return nil, false
}

func (p *Platform) statistics(uri string, load float64) Object {
	return Object{"media_load": round2(load), "resource_uri": uri}
}

func loadOf(used, total int) float64 {
	if total == 0 {
		return 0
	}
	return min(100, float64(used)*100/float64(total))
}

func (p *Platform) conferenceList() []Object {
	out := make([]Object, 0, len(p.confs))
	for _, c := range p.confs {
		out = append(out, p.conferenceWire(c))
	}
	return out
}

func (p *Platform) participantList() []Object {
	out := make([]Object, 0, len(p.parts))
	for _, pt := range p.parts {
		out = append(out, p.participantWire(pt))
	}
	return out
}

func (p *Platform) shardList() []Object {
	var out []Object
	for _, c := range p.confs {
		for _, s := range c.shards {
			out = append(out, Object{
				"id":                  s.id,
				"resource_uri":        statusPrefix + "conference_shard/" + s.id + "/",
				"conference":          c.svc.Name,
				"node":                s.node.seed.Address,
				"system_location":     s.node.loc.seed.Name,
				"service_type":        c.svc.ServiceType,
				"tag":                 c.svc.Tag,
				"start_time":          wireTime(s.start),
				"is_started":          c.started,
				"is_locked":           c.locked,
				"is_direct":           false,
				"guests_muted":        c.guestsMuted,
				"transcoding_enabled": true,
			})
		}
	}
	return orEmpty(out)
}

func orEmpty(l []Object) []Object {
	if l == nil {
		return []Object{}
	}
	return l
}

// hiddenNode reports whether a node is left out of worker_vm: overflow nodes that are not
// running.
func (p *Platform) hiddenNode(n *node) bool {
	return n.cloud != nil && n.cloud.state != cloudRunning
}

func (p *Platform) nodeList() []Object {
	var out []Object
	for _, n := range p.nodes {
		if !p.hiddenNode(n) {
			out = append(out, p.nodeWire(n))
		}
	}
	return orEmpty(out)
}

func (p *Platform) nodeWire(n *node) Object {
	hd, tokens, sync, updated := n.seed.MaxHDCalls, n.tokens, "SYNCED", p.now
	if n.seed.NodeType == "PROXYING" {
		hd = 0
	}
	if n.failed {
		tokens, sync, updated = 0, "UNREACHABLE", n.failedAt
	}
	return Object{
		"id":                      n.statusID,
		"resource_uri":            statusPrefix + "worker_vm/" + itoa(n.statusID) + "/",
		"configuration_id":        n.seed.ID,
		"name":                    n.seed.Name,
		"node_type":               n.seed.NodeType,
		"system_location":         n.loc.seed.Name,
		"version":                 Version,
		"sync_status":             sync,
		"upgrade_status":          "IDLE",
		"deploy_status":           "DEPLOYED",
		"last_attempted_contact":  wireTime(p.now.Truncate(10 * time.Second)),
		"last_updated":            wireTime(updated.Truncate(10 * time.Second)),
		"boot_time":               wireTime(n.boot),
		"maintenance_mode":        false,
		"maintenance_mode_reason": "",
		"media_load":              int(loadOf(tokens, n.maxTokens())),
		"media_tokens_used":       tokens,
		"max_media_tokens":        hd * tokensHD,
		"max_sd_calls":            hd * 2,
		"max_hd_calls":            hd,
		"max_full_hd_calls":       hd / 2,
		"max_audio_calls":         hd * tokensHD,
		"max_direct_participants": 0,
		"signaling_count":         map[bool]int{false: n.signaling, true: 0}[n.failed],
		"cpu_count":               n.seed.CPUCount,
		"total_ram":               n.seed.CPUCount * 2 * 1024 * 1024,
		"cpu_model":               "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz",
		"cpu_capabilities":        "AVX2",
		"hypervisor":              "VMware",
	}
}

// tokens sums the media tokens of the location's nodes that can carry calls.
func (l *location) tokens() (used, total int) {
	for _, n := range l.nodes {
		if n.available() {
			used += n.tokens
			total += n.maxTokens()
		}
	}
	return used, total
}

func (p *Platform) locationList() []Object {
	out := make([]Object, 0, len(p.locations))
	for _, l := range p.locations {
		used, total := l.tokens()
		hd := total / tokensHD
		out = append(out, Object{
			"id":                l.seed.ID,
			"resource_uri":      statusPrefix + "system_location/" + itoa(l.seed.ID) + "/",
			"name":              l.seed.Name,
			"media_load":        round2(loadOf(used, total)),
			"media_tokens_used": used,
			"max_media_tokens":  total,
			"max_sd_calls":      hd * 2,
			"max_hd_calls":      hd,
			"max_full_hd_calls": hd / 2,
			"max_audio_calls":   total,
			"max_connections":   fmt.Sprintf("CONFERENCING:%d,PROXYING:%d", hd*2, 2000*l.proxies()),
		})
	}
	return out
}

func (l *location) proxies() int {
	n := 0
	for _, x := range l.nodes {
		if x.seed.NodeType == "PROXYING" && !x.failed {
			n++
		}
	}
	return n
}

func (p *Platform) alarmList() []Object {
	out := make([]Object, 0, len(p.alarms))
	for _, a := range p.alarms {
		out = append(out, alarmWire(a))
	}
	return out
}

func (p *Platform) registrationList() []Object {
	out := []Object{}
	for _, r := range p.regs {
		if !r.active || r.node.failed {
			continue
		}
		out = append(out, Object{
			"id":              r.id,
			"resource_uri":    statusPrefix + "registration_alias/" + itoa(r.id) + "/",
			"alias":           r.alias,
			"registration_id": r.regID,
			"username":        r.user,
			"node":            r.node.seed.Address,
			"protocol":        r.protocol,
			"remote_address":  r.remote,
			"is_natted":       r.natted,
			"push_token":      "",
			"start_time":      wireTime(r.start),
			"vendor":          r.vendor,
		})
	}
	return out
}

func (p *Platform) licensing() Object {
	var port, audio int
	for _, pt := range p.parts {
		switch lt, _ := pt.license(); lt {
		case "port":
			port++
		case "audio":
			audio++
		}
	}
	regs := len(p.registrationList())
	vmrs := p.vmrs()
	return Object{
		"resource_uri":             statusPrefix + "licensing/1/",
		"port_count":               port,
		"port_total":               roundUp(p.opts.TargetParticipants*3/2, 50),
		"audio_count":              audio,
		"audio_total":              roundUp(p.opts.TargetParticipants/2, 50),
		"vmr_count":                vmrs,
		"vmr_total":                roundUp(vmrs+vmrs/5, 100),
		"system_count":             regs,
		"system_total":             50,
		"teams_count":              0,
		"teams_total":              0,
		"ghm_count":                0,
		"ghm_total":                0,
		"otj_count":                0,
		"otj_total":                0,
		"scheduling_count":         0,
		"scheduling_total":         0,
		"telehealth_count":         0,
		"telehealth_total":         0,
		"customlayouts_active":     false,
		"googletrustedjoin_active": false,
		"zoomtrustedjoin_active":   false,
	}
}

func roundUp(n, step int) int { return max(step, (n+step-1)/step*step) }

// vmrs counts the configured VMRs.
func (p *Platform) vmrs() int {
	n := 0
	for _, s := range p.services() {
		if s.ServiceType == "conference" {
			n++
		}
	}
	return n
}

func (p *Platform) backplaneList() []Object {
	out := []Object{}
	for _, c := range p.confs {
		for _, b := range c.backplanes {
			out = append(out, p.backplaneWire(c, b))
		}
	}
	return out
}

func (p *Platform) cloudNodeList() []Object {
	out := []Object{}
	for _, n := range p.nodes {
		c := n.cloud
		if c == nil {
			continue
		}
		hd := 0
		if c.state == cloudRunning {
			hd = n.seed.MaxHDCalls
		}
		o := Object{
			"resource_uri":                         statusPrefix + "cloud_node/" + c.instanceID + "/",
			"max_hd_calls":                         hd,
			"media_load":                           int(n.load()),
			"workervm_configuration_id":            n.seed.ID,
			"workervm_configuration_location_name": n.loc.seed.Name,
			"workervm_configuration_name":          n.seed.Name,
		}
		for _, prefix := range []string{"cloud_instance_", "aws_instance_"} {
			o[prefix+"id"] = c.instanceID
			o[prefix+"ip"] = c.ip
			o[prefix+"launch_time"] = wireTime(c.launch)
			o[prefix+"name"] = n.seed.Name
			o[prefix+"state"] = c.state
		}
		out = append(out, o)
	}
	return out
}

// cloudLocations lists the locations watched for dynamic bursting (overflow false) or the
// locations holding the overflow nodes (overflow true).
func (p *Platform) cloudLocations(overflow bool) []Object {
	out := []Object{}
	kind := map[bool]string{false: "cloud_monitored_location/", true: "cloud_overflow_location/"}[overflow]
	for _, l := range p.locations {
		if l.cloud != overflow || len(l.nodes) == 0 {
			continue
		}
		used, total := l.tokens()
		hd := total / tokensHD
		load := loadOf(used, total)
		if total == 0 {
			load = 100
		}
		o := Object{
			"id":            l.seed.ID,
			"resource_uri":  statusPrefix + kind + itoa(l.seed.ID) + "/",
			"name":          l.seed.Name,
			"max_hd_calls":  hd,
			"free_hd_calls": max(0, hd-(used+tokensHD-1)/tokensHD),
			"media_load":    int(load),
		}
		if overflow {
			o["systemlocation_id"] = l.seed.ID
		}
		out = append(out, o)
	}
	return out
}

func (p *Platform) managementVM() Object {
	return Object{
		"id":                     1,
		"resource_uri":           statusPrefix + "management_vm/1/",
		"configuration_id":       1,
		"name":                   "mgr-01",
		"primary":                true,
		"sync_status":            "SYNCED",
		"upgrade_status":         "IDLE",
		"version":                Version,
		"last_attempted_contact": wireTime(p.now.Truncate(10 * time.Second)),
		"last_updated":           wireTime(p.now.Truncate(10 * time.Second)),
	}
}

// History lists a history resource ("conference", "participant", "alarm",
// "workervm_status_event", "backplane"), oldest first, or "media_stream": the streams nested
// in history participants and backplanes, by id.
func (p *Platform) History(resource string) ([]Object, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch resource {
	case "conference":
		c, _ := p.hist.lists()
		return slices.Clone(c), true
	case "participant":
		_, pts := p.hist.lists()
		return slices.Clone(pts), true
	case "alarm":
		return slices.Clone(orEmpty(p.hist.alarms)), true
	case "workervm_status_event":
		return slices.Clone(orEmpty(p.hist.events)), true
	case "backplane":
		return slices.Clone(orEmpty(p.hist.backplanes)), true
	case "media_stream":
		return slices.Clone(p.hist.streams()), true
	}
	return nil, false
}

// HistorySub returns the nested media streams of a history participant or backplane.
func (p *Platform) HistorySub(resource, id, sub string) ([]Object, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sub != "media_stream" {
		return nil, false
	}
	var obj Object
	switch resource {
	case "participant":
		obj = p.hist.partByID[id]
	case "backplane":
		for _, b := range p.hist.backplanes {
			if b["id"] == id {
				obj = b
			}
		}
	}
	if obj == nil {
		return nil, false
	}
	nested := obj["media_streams"].([]any)
	out := make([]Object, len(nested))
	for i, s := range nested {
		out[i] = s.(Object)
	}
	return out, true
}

// DeleteHistory deletes a history conference with its participants; false if unknown.
func (p *Platform) DeleteHistory(resource, id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if resource != "conference" {
		return false
	}
	return p.hist.remove(id)
}
