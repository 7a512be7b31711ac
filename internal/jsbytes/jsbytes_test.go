package jsbytes

import "testing"

func TestStringAndBytesShareMemory(t *testing.T) {
	b := []byte("hello")
	s := String(b)
	if s != "hello" {
		t.Fatalf("String: %q", s)
	}
	b[0] = 'j' // what the caller promises not to do during a call: shows the sharing
	if s != "jello" {
		t.Errorf("String copied: %q", s)
	}
	if got := Bytes("abc"); string(got) != "abc" || len(got) != 3 {
		t.Errorf("Bytes: %q", got)
	}
	if String(nil) != "" || len(Bytes("")) != 0 {
		t.Error("empty")
	}
}
