package mongostore

import "context"

// background is a goroutine a store runs until it is closed: the change
// log's counter raiser and the claims' sweeper.
type background struct {
	stop chan struct{} // closed to end the goroutine
	done chan struct{} // closed when it has ended
}

// start runs loop in a goroutine; loop returns once stop is closed.
func (b *background) start(loop func(stop <-chan struct{})) {
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.done)
		loop(b.stop)
	}()
}

// halt ends the goroutine, if one was started, and waits for it to end or
// for ctx. Halting twice is harmless.
func (b *background) halt(ctx context.Context) {
	if b.stop == nil {
		return
	}
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	select {
	case <-b.done:
	case <-ctx.Done():
	}
}
