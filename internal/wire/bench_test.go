package wire

import (
	"strconv"
	"testing"
)

// BenchmarkParseBatch parses a full batch of 50 page-visit events as the
// collector receives them (about 25 KB).
func BenchmarkParseBatch(b *testing.B) {
	body := []byte(`{"commands":[`)
	for i := range MaxCommands {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"name":"customers/events","command_id":"3f1e2d9a-1b2c-4d5e-8f90-`+strconv.Itoa(100000000000+i)+
			`","data":{"customer_ids":{"cookie":"9a8b7c6d-1b2c-4d5e-8f90-123456789abc"},"event_type":"page_visit",`+
			`"timestamp":1764320000.123,"properties":{"location":"https://shop.example/p/1234","title":"Product 1234",`+
			`"referrer":"https://www.example.org/","browser":"Chrome","browser_version":"131.0.0.0","os_name":"Linux",`+
			`"device_type":"desktop","sdk":"exponea-wasm","sdk_version":"0.1.0","language":"en-US","price":123.99,"on_sale":false}}}`...)
	}
	body = append(body, "]}"...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseBatch(body); err != nil {
			b.Fatal(err)
		}
	}
}
