package queue

import (
	"reflect"
	"testing"
)

func TestRuns(t *testing.T) {
	for _, tc := range []struct {
		in   []int64
		want []Run
	}{
		{nil, nil},
		{[]int64{5}, []Run{{5, 5}}},
		{[]int64{3, 1, 2, 2, 7, 8, 10}, []Run{{1, 3}, {7, 8}, {10, 10}}},
		{[]int64{1, 3, 5}, []Run{{1, 1}, {3, 3}, {5, 5}}},
	} {
		if got := Runs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Runs(%v): got %v, want %v", tc.in, got, tc.want)
		}
	}
}
