package ctxlite

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTimeoutEndsAfterItsTimeOrWhenCancelledOrWithItsParent(t *testing.T) {
	c, cancel := Timeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if c.Err() != nil {
		t.Fatalf("err %v before the timeout", c.Err())
	}
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("never ended")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Errorf("err %v", c.Err())
	}
	cancel()
	if !errors.Is(c.Err(), context.DeadlineExceeded) {
		t.Errorf("cancel after the end changed the error: %v", c.Err())
	}

	c, cancel = Timeout(context.Background(), time.Hour)
	cancel()
	<-c.Done()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Errorf("cancelled: %v", c.Err())
	}

	parent, stop := Cancel(context.Background())
	c, cancel = Timeout(parent, time.Hour)
	defer cancel()
	stop()
	select {
	case <-c.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("did not end with its parent")
	}
	if !errors.Is(c.Err(), context.Canceled) {
		t.Errorf("err %v", c.Err())
	}
}

func TestDetachNeverEnds(t *testing.T) {
	parent, stop := Cancel(Background())
	stop()
	d := Detach(parent)
	if d.Done() != nil || d.Err() != nil {
		t.Errorf("detached: %v %v", d.Done(), d.Err())
	}
}

func TestStdEndsWithItsContextOrWhenReleased(t *testing.T) {
	c, stop := Cancel(Background())
	sc, release := Std(c)
	defer release()
	if sc.Err() != nil {
		t.Fatalf("ended early: %v", sc.Err())
	}
	stop()
	select {
	case <-sc.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("did not end with its ctxlite.Context")
	}

	sc, release = Std(Background())
	release()
	if sc.Err() == nil {
		t.Error("release did not end it")
	}

	std := context.Background()
	if got, _ := Std(std); got != std {
		t.Error("a context.Context was wrapped")
	}
}
