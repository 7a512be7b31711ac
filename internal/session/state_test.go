package session

import "testing"

func TestEncode(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{State{}, `{"open":false,"start":0,"last":0}`},
		{State{Open: true, StartMs: 1764320000000, LastActiveMs: 1764320012345.5}, `{"open":true,"start":1764320000000,"last":1764320012345.5}`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := tt.s.Encode()
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			back, ok := Decode(got)
			if !ok || back != tt.s {
				t.Errorf("round trip: got %+v, %v, want %+v, true", back, ok, tt.s)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in   string
		want State
		ok   bool
	}{
		{`{"open":true,"start":1,"last":2}`, State{Open: true, StartMs: 1, LastActiveMs: 2}, true},
		{` { "last" : 2 , "open" : true , "start" : 1 , "v" : [1] } `, State{Open: true, StartMs: 1, LastActiveMs: 2}, true},
		{`{"open":true,"start":-5,"last":-5}`, State{Open: true, StartMs: -5, LastActiveMs: -5}, true},
		{`{"open":false,"start":7,"last":9}`, State{}, true},
		{`{}`, State{}, true},
		{``, State{}, false},
		{`null`, State{}, false},
		{`[]`, State{}, false},
		{`"session"`, State{}, false},
		{`{"open":true,"start":1,"last":2`, State{}, false},
		{`{"open":"yes"}`, State{}, false},
		{`{"open":true,"start":"1","last":2}`, State{}, false},
		{`{"open":true,"start":1,"last":null}`, State{}, false},
		{`{"open":true,"start":1e999,"last":1e999}`, State{}, false},
		{`{"open":true,"start":5,"last":4}`, State{}, false},
		{"\xff", State{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Decode(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %+v, %v, want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
