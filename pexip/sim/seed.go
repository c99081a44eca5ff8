package sim

import (
	"fmt"
	"strconv"

	"pexops/pexip/sim/platform"
)

// load writes the demo configuration into the store through the same validation as the API:
// system locations keep their seed ids, services are numbered from 1 in seed order (the
// seed's ADPs and routing rules refer to them by URI).
func (s *store) load(seed platform.Seed) error {
	x := s.begin()
	err := x.loadSeed(seed)
	x.end(err)
	return err
}

func (x *tx) loadSeed(seed platform.Seed) error {
	tab := x.s.tables
	for _, l := range seed.Locations {
		body := map[string]any{"name": l.Name, "description": l.Description}
		if _, err := x.create(tab["system_location"], body, strconv.Itoa(l.ID)); err != nil {
			return fmt.Errorf("seed location %s: %w", l.Name, err)
		}
	}
	for _, n := range seed.Nodes {
		if err := x.seedNode(n); err != nil {
			return err
		}
	}
	for _, name := range seed.IVRThemes {
		if _, err := x.create(tab["ivr_theme"], map[string]any{"name": name}, ""); err != nil {
			return fmt.Errorf("seed theme %s: %w", name, err)
		}
	}
	for _, svc := range seed.Services {
		if err := x.seedService(svc); err != nil {
			return err
		}
	}
	for _, rule := range seed.RoutingRules {
		if _, err := x.create(tab["gateway_routing_rule"], rule, ""); err != nil {
			return fmt.Errorf("seed routing rule: %w", err)
		}
	}
	for _, adp := range seed.AutoParticipants {
		if _, err := x.create(tab["automatic_participant"], adp, ""); err != nil {
			return fmt.Errorf("seed automatic participant: %w", err)
		}
	}
	return nil
}

func (x *tx) seedNode(n platform.NodeSeed) error {
	cpus := n.CPUCount
	if cpus < 2 {
		cpus = 4
	}
	body := map[string]any{"name": n.Name, "hostname": n.Hostname, "domain": "example.com",
		"address": n.Address, "netmask": "255.255.255.0", "gateway": gatewayOf(n.Address),
		"node_type": n.NodeType, "deployment_type": "MANUAL-PROVISION-ONLY", "vm_cpu_count": cpus,
		"system_location": fmt.Sprintf("/api/admin/configuration/v1/system_location/%d/", n.LocationID)}
	if n.CloudBursting {
		body["deployment_type"] = "AWS"
	}
	key := ""
	if n.ID > 0 {
		key = strconv.Itoa(n.ID)
	}
	if _, err := x.create(x.s.tables["worker_vm"], body, key); err != nil {
		return fmt.Errorf("seed node %s: %w", n.Name, err)
	}
	return nil
}

func gatewayOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '.' {
			return addr[:i] + ".1"
		}
	}
	return addr
}

func (x *tx) seedService(svc platform.ServiceSeed) error {
	aliases := make([]any, len(svc.Aliases))
	for i, a := range svc.Aliases {
		aliases[i] = map[string]any{"alias": a}
	}
	body := map[string]any{"name": svc.Name, "service_type": svc.ServiceType,
		"description": svc.Description, "tag": svc.Tag, "pin": svc.PIN, "guest_pin": svc.GuestPIN,
		"allow_guests": svc.AllowGuests, "primary_owner_email_address": svc.OwnerEmail,
		"match_string": svc.MatchString, "replace_string": svc.ReplaceString, "aliases": aliases}
	if svc.HostView != "" {
		body["host_view"] = svc.HostView
	}
	if svc.ServiceType == "" {
		body["service_type"] = "conference"
	}
	if svc.ParticipantLimit > 0 {
		body["participant_limit"] = svc.ParticipantLimit
	}
	if _, err := x.create(x.s.tables["conference"], body, ""); err != nil {
		return fmt.Errorf("seed service %s: %w", svc.Name, err)
	}
	return nil
}
