package live

import "slices"

// maxCoalescedDeltas is how many deltas a pending batch may grow to while its consumer lags;
// past it the batch becomes a Resync and carries none.
const maxCoalescedDeltas = 20000

// deliver hands b to the consumer without waiting. If the previous batch is still pending it
// is taken back and merged into b, so the consumer, reading the merged batch, ends up exactly
// where it would have been after reading both. Only the poller sends on p.batches, so after
// taking the pending batch back there is room for the merged one.
func (p *Poller) deliver(b Batch) {
	select {
	case p.batches <- b:
		return
	default:
	}
	select {
	case old := <-p.batches:
		b = coalesce(old, b)
		p.m.batchCoalesced()
	default:
		// The consumer took it meanwhile.
	}
	p.batches <- b
}

// coalesce merges an older pending batch into a newer one.
func coalesce(old, cur Batch) Batch {
	if old.Resync || cur.Resync || len(old.Deltas)+len(cur.Deltas) > maxCoalescedDeltas {
		return Batch{Version: cur.Version, State: cur.State, Resync: true}
	}
	cur.Deltas = mergeDeltas(old.Deltas, cur.Deltas)
	return cur
}

type deltaKey struct{ resource, id string }

// mergeDeltas folds later deltas into earlier ones per object: added then changed is added,
// added then removed is nothing, removed then added is changed (every field), changed twice
// is changed with both field lists.
func mergeDeltas(older, newer []Delta) []Delta {
	out := slices.Clone(older)
	index := make(map[deltaKey]int, len(out))
	for i, d := range out {
		index[deltaKey{d.Resource, d.ID}] = i
	}
	var gone []int
	for _, d := range newer {
		k := deltaKey{d.Resource, d.ID}
		i, ok := index[k]
		if !ok {
			index[k] = len(out)
			out = append(out, d)
			continue
		}
		merged, keep := mergeDelta(out[i], d)
		out[i] = merged
		if !keep {
			gone = append(gone, i)
			delete(index, k)
		}
	}
	if len(gone) == 0 {
		return out
	}
	drop := make(map[int]bool, len(gone))
	for _, i := range gone {
		drop[i] = true
	}
	kept := out[:0]
	for i, d := range out {
		if !drop[i] {
			kept = append(kept, d)
		}
	}
	return kept
}

// mergeDelta combines two deltas of one object; keep is false when they cancel out.
func mergeDelta(a, b Delta) (Delta, bool) {
	// origin is the conference the consumer last saw the object in.
	origin := a.Conference
	if a.FromConference != "" {
		origin = a.FromConference
	}
	switch {
	case a.Kind == Added && b.Kind == Removed:
		return Delta{}, false
	case a.Kind == Added:
		b.Kind, b.Fields, b.FromConference = Added, nil, ""
		return b, true
	case a.Kind == Removed && b.Kind == Added:
		b.Kind, b.Fields = Changed, nil
		b.FromConference = fromIfMoved(a.Conference, b.Conference)
		return b, true
	case a.Kind == Changed && b.Kind == Removed:
		b.Conference = origin
		return b, true
	case a.Kind == Changed && b.Kind == Changed:
		b.Fields = unionFields(a.Fields, b.Fields)
		b.FromConference = fromIfMoved(origin, b.Conference)
		return b, true
	}
	return b, true
}

func fromIfMoved(from, to string) string {
	if from == to {
		return ""
	}
	return from
}

// unionFields joins two field lists; nil (every field) absorbs anything.
func unionFields(a, b []string) []string {
	if a == nil || b == nil {
		return nil
	}
	out := slices.Clone(a)
	for _, f := range b {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
