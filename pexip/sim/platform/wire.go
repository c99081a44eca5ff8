package platform

import (
	"math"
	"slices"
	"time"

	"pexops/pexip"
)

const (
	statusPrefix  = "/api/admin/status/v1/"
	historyPrefix = "/api/admin/history/v1/"
)

// wireTime formats t as Python's isoformat does on a Management Node: naive UTC, and six
// digits of microseconds when they are not zero ("" for the zero time).
//
// NOTE: pexip.Time.Wire trims trailing zeros of the fraction (".66623" for .662230), which
// no Management Node writes; this formats it exactly until that is fixed.
func wireTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = pexip.NewTime(t).Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}

func (p *Platform) conferenceWire(c *conference) Object {
	if c.wire == nil {
		c.wire = Object{
			"id":           c.id,
			"resource_uri": statusPrefix + "conference/" + c.id + "/",
			"name":         c.svc.Name,
			"service_type": c.svc.ServiceType,
			"tag":          c.svc.Tag,
			"start_time":   wireTime(c.start),
			"is_started":   c.started,
			"is_locked":    c.locked,
			"guests_muted": c.guestsMuted,
			// Direct media is not modelled: every call is transcoded.
			"direct_media_available": false,
		}
	}
	return c.wire
}

func (pt *participant) hasMedia() bool { return pt.waiting == notWaiting }

func (pt *participant) license() (string, int) {
	switch {
	case !pt.hasMedia() || pt.conf.svc.ServiceType == "test_call":
		return "nolicense", 0
	case pt.class == classAudio:
		return "audio", 1
	default:
		return "port", 1
	}
}

func (pt *participant) bandwidths() (total, rx, tx int) {
	if !pt.hasMedia() {
		return 0, 0, 0
	}
	return pt.callRate, pt.callRate - pt.callRate/20, pt.callRate - pt.callRate/10
}

func (p *Platform) participantWire(pt *participant) Object {
	if pt.wire != nil {
		return pt.wire
	}
	lt, lc := pt.license()
	bw, rx, tx := pt.bandwidths()
	proxy := ""
	if pt.proxy != nil {
		proxy = pt.proxy.seed.Address
	}
	pt.wire = Object{
		"id":                        pt.id,
		"resource_uri":              statusPrefix + "participant/" + pt.id + "/",
		"conference":                pt.conf.svc.Name,
		"service_type":              pt.serviceType,
		"service_tag":               pt.conf.svc.Tag,
		"display_name":              pt.displayName,
		"participant_alias":         pt.alias,
		"source_alias":              pt.source,
		"destination_alias":         pt.dest,
		"call_direction":            pt.direction,
		"call_uuid":                 pt.callUUID,
		"conversation_id":           pt.conversationID,
		"call_quality":              pt.q.callQuality(pt.protocol).String(),
		"bucketed_call_quality":     pt.q.bucketed(),
		"historic_call_quality":     pt.q.historic(),
		"bandwidth":                 bw,
		"rx_bandwidth":              rx,
		"tx_bandwidth":              tx,
		"connect_time":              wireTime(pt.connect),
		"encryption":                pt.encryption,
		"has_media":                 pt.hasMedia(),
		"is_muted":                  pt.muted,
		"is_on_hold":                pt.onHold || !pt.hasMedia(),
		"is_presenting":             pt.presenting,
		"is_presentation_supported": pt.presSupported,
		"is_streaming":              pt.streaming,
		"is_waiting":                !pt.hasMedia(),
		"license_count":             lc,
		"license_type":              lt,
		"media_node":                pt.media.seed.Address,
		"signalling_node":           pt.signalling.seed.Address,
		"proxy_node":                proxy,
		"parent_id":                 "",
		"protocol":                  pt.protocol,
		"remote_address":            pt.remoteAddr,
		"remote_port":               pt.remotePort,
		"role":                      pt.role,
		"system_location":           pt.loc.seed.Name,
		"vendor":                    pt.vendor,
	}
	return pt.wire
}

// streamWire is a status media stream as of now; counters are computed, not stored.
func streamWire(s *stream, uri string, now time.Time) Object {
	c := *s
	c.advance(now)
	end := ""
	if !s.end.IsZero() {
		end = wireTime(s.end)
	}
	return Object{
		"id":                  s.id,
		"resource_uri":        uri + s.id + "/",
		"type":                s.kind,
		"node":                s.node.seed.Address,
		"start_time":          wireTime(s.start),
		"end_time":            end,
		"rx_bitrate":          s.rxRate,
		"rx_codec":            s.rxCodec,
		"rx_fps":              s.fps,
		"rx_jitter":           s.rxJit,
		"rx_packet_loss":      s.rxLoss,
		"rx_packets_lost":     int(c.rxLost),
		"rx_packets_received": int(c.rxRecv),
		"rx_resolution":       s.rxRes,
		"tx_bitrate":          s.txRate,
		"tx_codec":            s.txCodec,
		"tx_fps":              s.fps,
		"tx_jitter":           s.txJit,
		"tx_packet_loss":      s.txLoss,
		"tx_packets_lost":     int(c.txLost),
		"tx_packets_sent":     int(c.txSent),
		"tx_resolution":       s.txRes,
	}
}

// streamRecord is a history media stream: integer id, stream_id/stream_type, no jitter.
func (p *Platform) streamRecord(s *stream, owner string) Object {
	p.counters.stream++
	return Object{
		"id":                  p.counters.stream,
		"resource_uri":        historyPrefix + "media_stream/" + itoa(p.counters.stream) + "/",
		"stream_id":           s.id,
		"stream_type":         s.kind,
		"participant":         owner,
		"node":                s.node.seed.Address,
		"start_time":          wireTime(s.start),
		"end_time":            wireTime(s.end),
		"rx_bitrate":          s.rxRate,
		"rx_codec":            s.rxCodec,
		"rx_fps":              s.fps,
		"rx_packet_loss":      s.rxLoss,
		"rx_packets_lost":     int(s.rxLost),
		"rx_packets_received": int(s.rxRecv),
		"rx_resolution":       s.rxRes,
		"tx_bitrate":          s.txRate,
		"tx_codec":            s.txCodec,
		"tx_fps":              s.fps,
		"tx_packet_loss":      s.txLoss,
		"tx_packets_lost":     int(s.txLost),
		"tx_packets_sent":     int(s.txSent),
		"tx_resolution":       s.txRes,
	}
}

func seconds(d time.Duration) int { return int(math.Round(d.Seconds())) }

func (p *Platform) participantRecord(pt *participant, at time.Time, reason string) Object {
	uri := historyPrefix + "participant/" + pt.id + "/"
	streams := []any{}
	for _, s := range slices.Concat(pt.ended, pt.streams) {
		streams = append(streams, p.streamRecord(s, uri))
	}
	lt, lc := pt.license()
	bw, _, _ := pt.bandwidths()
	proxy := "None"
	if pt.proxy != nil {
		proxy = pt.proxy.seed.Address
	}
	end := p.microJitter(at)
	if end.After(pt.conf.lastEnd) {
		pt.conf.lastEnd = end
	}
	start := pt.connect
	if !pt.legStart.IsZero() {
		start = pt.legStart
	}
	return Object{
		"id":                    pt.id,
		"resource_uri":          uri,
		"conference":            historyPrefix + "conference/" + pt.conf.id + "/",
		"conference_name":       pt.conf.svc.Name,
		"display_name":          pt.displayName,
		"local_alias":           pt.localAlias,
		"remote_alias":          pt.remoteAlias,
		"remote_address":        pt.remoteAddr,
		"remote_port":           pt.remotePort,
		"call_direction":        pt.direction,
		"call_quality":          pt.q.callQuality(pt.protocol).String(),
		"bucketed_call_quality": pt.q.bucketed(),
		"historic_call_quality": pt.q.historic(),
		"call_uuid":             pt.callUUID,
		"conversation_id":       pt.conversationID,
		"disconnect_reason":     reason,
		"duration":              seconds(end.Sub(start)),
		"start_time":            wireTime(start),
		"end_time":              wireTime(end),
		"bandwidth":             bw,
		"encryption":            pt.encryption,
		"has_media":             len(streams) > 0,
		"is_streaming":          pt.streaming,
		"license_count":         lc,
		"license_type":          lt,
		"media_node":            pt.media.seed.Address,
		"signalling_node":       pt.signalling.seed.Address,
		"proxy_node":            proxy,
		"parent_id":             "",
		"protocol":              pt.protocol,
		"role":                  pt.role,
		"service_tag":           pt.conf.svc.Tag,
		"service_type":          pt.serviceType,
		"system_location":       pt.loc.seed.Name,
		"vendor":                pt.vendor,
		"media_streams":         streams,
	}
}

func (p *Platform) conferenceRecord(c *conference, at time.Time) Object {
	uris := make([]any, len(c.left))
	for i, pt := range c.left {
		uris[i] = pt["resource_uri"]
	}
	end := c.lastEnd.Add(time.Duration(1+p.rng.IntN(200_000)) * time.Microsecond)
	return Object{
		"id":                     c.id,
		"resource_uri":           historyPrefix + "conference/" + c.id + "/",
		"name":                   c.svc.Name,
		"service_type":           c.svc.ServiceType,
		"tag":                    c.svc.Tag,
		"start_time":             wireTime(c.start),
		"end_time":               wireTime(end),
		"duration":               seconds(end.Sub(c.start)),
		"participant_count":      len(c.left),
		"participants":           uris,
		"instant_message_count":  0,
		"direct_media_available": false,
	}
}

func (p *Platform) backplaneWire(c *conference, b *backplane) Object {
	return Object{
		"id":                     b.id,
		"resource_uri":           statusPrefix + "backplane/" + b.id + "/",
		"conference":             c.svc.Name,
		"service_type":           c.svc.ServiceType,
		"service_tag":            c.svc.Tag,
		"connect_time":           wireTime(b.start),
		"media_node":             b.home.seed.Address,
		"remote_media_node":      b.remote.seed.Address,
		"remote_node_name":       b.remote.seed.Name,
		"system_location":        b.home.loc.seed.Name,
		"remote_system_location": b.remote.loc.seed.Name,
		"protocol":               "Backplane",
	}
}

func (p *Platform) backplaneRecord(c *conference, b *backplane, at time.Time) Object {
	uri := historyPrefix + "backplane/" + b.id + "/"
	streams := []any{}
	for _, s := range b.streams {
		streams = append(streams, p.streamRecord(s, uri))
	}
	return Object{
		"id":                     b.id,
		"resource_uri":           uri,
		"conference":             historyPrefix + "conference/" + c.id + "/",
		"conference_name":        c.svc.Name,
		"service_type":           c.svc.ServiceType,
		"service_tag":            c.svc.Tag,
		"start_time":             wireTime(b.start),
		"end_time":               wireTime(at),
		"duration":               seconds(at.Sub(b.start)),
		"media_node":             b.home.seed.Address,
		"remote_media_node":      b.remote.seed.Address,
		"remote_node_name":       b.remote.seed.Name,
		"system_location":        b.home.loc.seed.Name,
		"remote_system_location": b.remote.loc.seed.Name,
		"protocol":               "Backplane",
		"disconnect_reason":      reasonDisconnected,
		"media_streams":          streams,
	}
}

func alarmWire(a *alarm) Object {
	return Object{
		"id":           a.id,
		"resource_uri": statusPrefix + "alarm/" + itoa(a.id) + "/",
		"identifier":   a.identifier,
		"level":        a.level,
		"name":         a.name,
		"details":      a.details,
		"instance":     a.instance,
		"node":         a.node.seed.Address,
		"acknowledged": false,
		"time_raised":  wireTime(a.raised),
	}
}

func alarmRecord(a *alarm, lowered time.Time) Object {
	return Object{
		"id":           a.id,
		"resource_uri": historyPrefix + "alarm/" + itoa(a.id) + "/",
		"identifier":   a.identifier,
		"level":        a.level,
		"name":         a.name,
		"details":      a.details,
		"instance":     a.instance,
		"node":         a.node.seed.Address,
		"time_raised":  wireTime(a.raised),
		"time_lowered": wireTime(lowered),
	}
}
