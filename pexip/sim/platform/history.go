package platform

import (
	"slices"
)

// maxSideHistory bounds the history of alarms, node events and backplanes.
const maxSideHistory = 1000

// history holds ended conferences with their participants, oldest first.
type history struct {
	confs    []*histConf
	byID     map[string]*histConf
	partByID map[string]Object

	// confList, partList and streamList are the lists handed out, rebuilt when history
	// changed; streamList holds the media streams nested in participants and backplanes.
	confList, partList, streamList []Object
	dirty, streamsDirty            bool

	alarms, events, backplanes []Object
}

type histConf struct {
	obj   Object
	parts []Object
}

func (h *history) init() {
	h.byID = make(map[string]*histConf)
	h.partByID = make(map[string]Object)
}

// addConference records an ended conference and evicts the oldest beyond capacity, with
// their participants, as a Management Node does.
func (h *history) addConference(conf Object, parts []Object, capacity int) {
	hc := &histConf{obj: conf, parts: parts}
	h.confs = append(h.confs, hc)
	h.byID[conf["id"].(string)] = hc
	for _, pt := range parts {
		h.partByID[pt["id"].(string)] = pt
	}
	for len(h.confs) > capacity {
		h.drop(h.confs[0])
		h.confs[0] = nil
		h.confs = h.confs[1:]
	}
	h.dirty, h.streamsDirty = true, true
}

func (h *history) drop(hc *histConf) {
	delete(h.byID, hc.obj["id"].(string))
	for _, pt := range hc.parts {
		delete(h.partByID, pt["id"].(string))
	}
}

// remove deletes one conference with its participants; false if unknown.
func (h *history) remove(id string) bool {
	hc, ok := h.byID[id]
	if !ok {
		return false
	}
	h.drop(hc)
	h.confs = slices.DeleteFunc(h.confs, func(x *histConf) bool { return x == hc })
	h.dirty, h.streamsDirty = true, true
	return true
}

func (h *history) lists() (confs, parts []Object) {
	if h.dirty || h.confList == nil {
		h.confList = make([]Object, 0, len(h.confs))
		h.partList = h.partList[:0:0]
		for _, hc := range h.confs {
			h.confList = append(h.confList, hc.obj)
			h.partList = append(h.partList, hc.parts...)
		}
		h.dirty = false
	}
	return h.confList, h.partList
}

// streams lists the media streams of history participants and backplanes, by id.
func (h *history) streams() []Object {
	if !h.streamsDirty && h.streamList != nil {
		return h.streamList
	}
	_, parts := h.lists()
	out := make([]Object, 0, 2*len(parts)+2*len(h.backplanes))
	for _, o := range slices.Concat(parts, h.backplanes) {
		for _, s := range o["media_streams"].([]any) {
			out = append(out, s.(Object))
		}
	}
	slices.SortFunc(out, func(a, b Object) int { return a["id"].(int) - b["id"].(int) })
	h.streamList, h.streamsDirty = out, false
	return out
}

func appendCapped(list []Object, o Object, capacity int) []Object {
	list = append(list, o)
	if len(list) > capacity {
		list = slices.Delete(list, 0, len(list)-capacity)
	}
	return list
}

func (h *history) addAlarm(o Object) { h.alarms = appendCapped(h.alarms, o, maxSideHistory) }

func (h *history) addEvent(o Object) { h.events = appendCapped(h.events, o, maxSideHistory) }

func (h *history) addBackplane(o Object) {
	h.backplanes = appendCapped(h.backplanes, o, maxSideHistory)
	h.streamsDirty = true
}
