package audit

// Queued returns how many events wait in w's queue for a batch.
func Queued(w *Writer) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, wt := range w.queue {
		n += len(wt.recs)
	}
	return n
}

// MaxBatch is the most events a Writer's transaction appends.
const MaxBatch = maxBatch
