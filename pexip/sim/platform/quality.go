package platform

import (
	"math"
	"slices"
	"strconv"
	"time"

	"pexops/pexip"
)

// window is the length of one call-quality measurement, as on a real Conferencing Node.
const window = 20 * time.Second

// maxWindows bounds the windows evaluated for one participant in one tick, so that a jump
// of days stays fast; windows beyond it count with the last quality.
const maxWindows = 200

// WindowQuality is the guide's rule for one 20-second window: packet loss (percent) under
// 1 is good, under 3 ok, under 10 bad, else terrible; jitter over 40 ms is one level worse.
func WindowQuality(lossPercent, jitterMS float64) pexip.Quality {
	var q pexip.Quality
	switch {
	case lossPercent < 1:
		q = pexip.QualityGood
	case lossPercent < 3:
		q = pexip.QualityOK
	case lossPercent < 10:
		q = pexip.QualityBad
	default:
		q = pexip.QualityTerrible
	}
	if jitterMS > 40 && q < pexip.QualityTerrible {
		q++
	}
	return q
}

// qualityProfile is how a call's loss and jitter behave: forced values (tests), or a base
// with noise and an optional drift per window (a call that degrades).
type qualityProfile struct {
	forced       bool
	loss, jitter float64
	drift        float64
}

var profileGood = qualityProfile{loss: 0.1, jitter: 4}

// pickProfile draws the demo's mix: most calls good, some marginal, a few degrading.
func (p *Platform) pickProfile() qualityProfile {
	r := p.rng.IntN(100)
	switch {
	case r < 78:
		return qualityProfile{loss: p.rng.Float64() * 0.4, jitter: 1 + p.rng.Float64()*14}
	case r < 92:
		return qualityProfile{loss: 0.6 + p.rng.Float64()*2, jitter: 5 + p.rng.Float64()*30}
	default:
		return qualityProfile{loss: 0.2, jitter: 8, drift: 0.03 + p.rng.Float64()*0.12}
	}
}

type quality struct {
	prof      qualityProfile
	loss, jit float64 // the last window's values
	windows   []int
	histWire  string // windows in wire form, kept up to date: rebuilding it is O(call length)
	buckets   [5]int
	next      time.Time // end of the running window
}

func newQuality(prof qualityProfile) quality {
	return quality{prof: prof, loss: prof.loss, jit: prof.jitter}
}

// callQuality is the most common quality of the last three windows, the worst on a tie;
// unknown before the first window ends. RTMP streams are always good.
func (q *quality) callQuality(protocol string) pexip.Quality {
	if len(q.windows) == 0 {
		return pexip.QualityUnknown
	}
	if protocol == protoRTMP {
		return pexip.QualityGood
	}
	var counts [5]int
	for _, w := range q.windows[max(0, len(q.windows)-3):] {
		counts[w]++
	}
	best := 0
	for i := range counts {
		if counts[i] >= counts[best] {
			best = i
		}
	}
	return pexip.Quality(best)
}

func (q *quality) historic() string {
	if q.histWire == "" {
		return "[]"
	}
	return q.histWire
}

func (q *quality) addWindow(w int) {
	q.windows = append(q.windows, w)
	q.buckets[w]++
	d := strconv.Itoa(w)
	if q.histWire == "" {
		q.histWire = "[" + d + "]"
	} else {
		q.histWire = q.histWire[:len(q.histWire)-1] + ", " + d + "]"
	}
}

func (q *quality) bucketed() string {
	if len(q.windows) == 0 {
		return "[]"
	}
	return pexip.IntList(q.buckets[:]).Wire()
}

// drawWindow moves the call's loss and jitter on to the next window.
func (p *Platform) drawWindow(q *quality) {
	pr := &q.prof
	if pr.forced {
		q.loss, q.jit = pr.loss, pr.jitter
		return
	}
	if pr.drift > 0 {
		pr.loss = min(pr.loss+pr.drift*p.rng.Float64()*2, 15)
		pr.jitter = min(pr.jitter+pr.drift*10*p.rng.Float64(), 80)
	}
	q.loss = math.Max(0, pr.loss+p.rng.NormFloat64()*(0.3*pr.loss+0.05))
	q.jit = math.Max(0.1, pr.jitter+p.rng.NormFloat64()*2)
}

// advanceParticipants ends the calls whose time is up and closes every finished quality
// window.
func (p *Platform) advanceParticipants() {
	var leaving []*participant
	for _, pt := range p.parts {
		if !pt.leaveAt.IsZero() && !pt.leaveAt.After(p.now) {
			leaving = append(leaving, pt)
			continue
		}
		p.closeWindows(pt, p.now)
	}
	for _, pt := range leaving {
		if _, still := p.partByID[pt.id]; still {
			p.closeWindows(pt, pt.leaveAt)
			p.leave(pt, reasonDisconnected, pt.leaveAt)
		}
	}
}

func (p *Platform) closeWindows(pt *participant, now time.Time) {
	if pt.waiting != notWaiting || pt.q.next.After(now) {
		return
	}
	q := &pt.q
	for n := 0; !q.next.After(now); n++ {
		if n >= maxWindows { // skip ahead, counting the skipped windows as the last one
			skipped := int(now.Sub(q.next)/window) + 1
			last := q.windows[len(q.windows)-1]
			q.buckets[last] += skipped
			q.next = q.next.Add(time.Duration(skipped) * window)
			break
		}
		p.drawWindow(q)
		w := int(WindowQuality(q.loss, q.jit))
		if pt.protocol == protoRTMP {
			w = int(pexip.QualityGood)
		}
		q.addWindow(w)
		for _, s := range pt.streams {
			s.advance(q.next)
			p.setStreamQuality(s, q)
		}
		q.next = q.next.Add(window)
	}
	pt.wire = nil
	p.maybeTogglePresentation(pt, now)
}

func (p *Platform) setStreamQuality(s *stream, q *quality) {
	if q.prof.forced {
		s.rxLoss, s.rxJit = q.loss, q.jit
		s.txLoss, s.txJit = q.loss/2, q.jit/2
		return
	}
	s.rxLoss = round2(q.loss * (0.8 + 0.4*p.rng.Float64()))
	s.txLoss = round2(q.loss * 0.3 * p.rng.Float64())
	s.rxJit = round2(q.jit * (0.8 + 0.4*p.rng.Float64()))
	s.txJit = round2(q.jit * 0.5 * p.rng.Float64())
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// SetQuality forces a participant's packet loss (percent) and jitter (ms) from the next
// window on; false if there is no such participant.
func (p *Platform) SetQuality(participantID string, lossPercent, jitterMS float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pt, ok := p.partByID[participantID]
	if !ok {
		return false
	}
	pt.q.prof = qualityProfile{forced: true, loss: lossPercent, jitter: jitterMS}
	return true
}

// newStreams opens a call's audio stream and, unless it is audio only, its video stream.
func (p *Platform) newStreams(pt *participant, at time.Time) []*stream {
	start := at
	if pt.connect.After(start) {
		start = pt.connect // media starts just after the call connects
	}
	start = start.Add(time.Duration(50+p.rng.IntN(400)) * time.Millisecond)
	codecs := codecsFor(pt.protocol, p.rng.IntN(6))
	audioRate := map[string]int{"opus": 40, "G.722": 64, "G.711": 64, "AAC": 128}[codecs.audio]
	out := []*stream{{
		id: "0", kind: "audio", node: pt.media, start: start, last: at,
		rxCodec: codecs.audio, txCodec: codecs.audio, rxRate: audioRate, txRate: audioRate,
		rxPPS: 50, txPPS: 50,
	}}
	if pt.class == classAudio {
		return out
	}
	video := pt.callRate - audioRate - 16
	out = append(out, &stream{
		id: "1", kind: "video", node: pt.media, start: start.Add(time.Duration(p.rng.IntN(300)) * time.Millisecond), last: at,
		rxCodec: codecs.video, txCodec: codecs.video,
		rxRes: resolutionFor(pt.class, false), txRes: resolutionFor(pt.class, true),
		rxRate: video - p.rng.IntN(40), txRate: video - p.rng.IntN(40), fps: 30,
		rxPPS: float64(video) / 8.8, txPPS: float64(video) / 8.8,
	})
	for _, s := range out {
		p.setStreamQuality(s, &pt.q)
	}
	return out
}

// advance adds the packets of the time since the last update at the current loss.
func (s *stream) advance(t time.Time) {
	dt := t.Sub(s.last).Seconds()
	if dt <= 0 || !s.end.IsZero() {
		return
	}
	s.last = t
	rx := s.rxPPS * dt
	s.rxLost += rx * s.rxLoss / 100
	s.rxRecv += rx - rx*s.rxLoss/100
	tx := s.txPPS * dt
	s.txSent += tx
	s.txLost += tx * s.txLoss / 100
}

// maybeTogglePresentation lets activity participants start and stop presenting now and then.
func (p *Platform) maybeTogglePresentation(pt *participant, at time.Time) {
	if !p.activity.on || pt.auto || !pt.presSupported || pt.leaveAt.IsZero() {
		return
	}
	switch {
	case pt.presenting && p.rng.IntN(15) == 0:
		p.stopPresenting(pt, at)
	case !pt.presenting && p.rng.IntN(60) == 0 && !slices.ContainsFunc(pt.conf.parts, func(x *participant) bool { return x.presenting }):
		p.startPresenting(pt, at)
	}
}

func (p *Platform) startPresenting(pt *participant, at time.Time) {
	pt.presenting = true
	pt.streams = append(pt.streams, &stream{
		id: "2", kind: "presentation", node: pt.media, start: p.microJitter(at), last: at,
		rxCodec: "H264", txCodec: "H264", rxRes: "1920x1080", txRes: "1920x1080",
		rxRate: 384 + p.rng.IntN(200), txRate: 300 + p.rng.IntN(100), fps: 15, rxPPS: 45, txPPS: 35,
	})
	pt.wire = nil
}

func (p *Platform) stopPresenting(pt *participant, at time.Time) {
	pt.presenting = false
	pt.streams = slices.DeleteFunc(pt.streams, func(s *stream) bool {
		if s.kind != "presentation" {
			return false
		}
		s.advance(at)
		s.end = at
		pt.ended = append(pt.ended, s)
		return true
	})
	pt.wire = nil
}
