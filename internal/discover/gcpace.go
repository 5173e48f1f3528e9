package discover

import (
	"runtime"
	"runtime/metrics"
)

// gcEvery is how many bytes reading a spec may allocate between two
// collections it asks for.
const gcEvery = 32 << 20

// gcPacer collects the garbage the library leaves after each cut document.
// The runtime waits until the heap doubles what was live at its last
// collection, and that measure includes the library's model of the piece
// being read: with the spec's tree live, the heap would reach twice the
// useful size before any collection. Asked for every gcEvery bytes
// allocated, the heap stays near the tree plus one piece's model.
type gcPacer struct {
	sample []metrics.Sample
	last   uint64
}

func newGCPacer() *gcPacer {
	g := &gcPacer{sample: []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}}
	g.last = g.allocs()
	return g
}

func (g *gcPacer) allocs() uint64 {
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return g.sample[0].Value.Uint64()
}

// step collects when gcEvery bytes were allocated since the last time.
func (g *gcPacer) step() {
	if a := g.allocs(); a-g.last > gcEvery {
		runtime.GC()
		g.last = g.allocs()
	}
}
