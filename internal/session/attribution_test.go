package session

import (
	"strings"
	"testing"
)

// members renders Attribution's result as the body of a JSON object.
func members(url, ref string) string {
	var b strings.Builder
	for i, m := range Attribution(url, ref) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + m.Key + `":` + string(m.Value))
	}
	return b.String()
}

func TestAttribution(t *testing.T) {
	tests := []struct {
		name, url, ref, want string
	}{
		{"no query, no referrer", "https://shop.example/p/1", "", ``},
		{"referrer only", "https://shop.example/", "https://www.google.com/", `"referrer":"https://www.google.com/"`},
		{"all parameters, returned in a fixed order",
			"https://s.example/?fbclid=F&gclid=G&utm_content=c&utm_term=t&utm_campaign=spring&utm_medium=cpc&utm_source=google&other=1", "",
			`"utm_source":"google","utm_medium":"cpc","utm_campaign":"spring","utm_term":"t","utm_content":"c","gclid":"G","fbclid":"F"`},
		{"fragment after the query", "https://s.example/?utm_source=news#utm_medium=x", "r",
			`"utm_source":"news","referrer":"r"`},
		{"query inside a fragment is not the page's", "https://s.example/#/cart?utm_source=x", "", ``},
		{"'?' in the fragment after a query", "https://s.example/?utm_medium=a#b?utm_source=x", "", `"utm_medium":"a"`},
		{"empty query", "https://s.example/?", "", ``},
		{"empty values count as absent", "/?utm_source=&utm_medium&utm_campaign=x", "", `"utm_campaign":"x"`},
		{"first non-empty value wins", "/?utm_source=&utm_source=a&utm_source=b", "", `"utm_source":"a"`},
		{"plus is a space, escapes are decoded", "/?utm_campaign=spring+sale%20%2B%26%3D", "", `"utm_campaign":"spring sale +&="`},
		{"encoded keys", "/?utm%5Fsource=x", "", `"utm_source":"x"`},
		{"encoded unicode", "/?utm_term=%C5%BElut%C3%BD%20k%C5%AF%C5%88&utm_content=%F0%9F%98%80", "",
			`"utm_term":"žlutý kůň","utm_content":"😀"`},
		{"raw unicode", "/?utm_term=žlutý", "", `"utm_term":"žlutý"`},
		{"invalid escapes stay as written", "/?utm_source=%zz&utm_medium=a%4&utm_campaign=100%", "",
			`"utm_source":"%zz","utm_medium":"a%4","utm_campaign":"100%"`},
		{"bytes that are not UTF-8 become U+FFFD", "/?utm_source=%FF%FEx", "", "\"utm_source\":\"\ufffd\ufffdx\""},
		{"values are escaped for JSON", `/?utm_source=a%22b%5C%0A`, "a\"b", `"utm_source":"a\"b\\\n","referrer":"a\"b"`},
		{"stray separators", "/?&&utm_source=a&&=x&=&", "", `"utm_source":"a"`},
		{"'=' inside a value", "/?utm_source=a=b", "", `"utm_source":"a=b"`},
		{"keys match exactly", "/?UTM_SOURCE=a&utm_source_x=b& utm_source=c", "", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := members(tt.url, tt.ref); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAttributionCapsValues(t *testing.T) {
	long := strings.Repeat("é", MaxAttributionLen) // 2 bytes each
	ms := Attribution("/?utm_source="+long, long+"x")
	if len(ms) != 2 {
		t.Fatalf("got %v members, want 2", len(ms))
	}
	for _, m := range ms {
		// The literal is the quotes plus whole "é"s, at most the cap.
		if got, want := string(m.Value), `"`+strings.Repeat("é", MaxAttributionLen/2)+`"`; got != want {
			t.Errorf("%s: got %v bytes, want %v", m.Key, len(got), len(want))
		}
	}
}

func FuzzAttribution(f *testing.F) {
	f.Add("https://s.example/?utm_source=a%zz+b&gclid=%C5%BE#x", "ref")
	f.Fuzz(func(t *testing.T, url, ref string) {
		for _, m := range Attribution(url, ref) {
			if !jsonValid(m.Value) {
				t.Fatalf("%s: invalid JSON %q", m.Key, m.Value)
			}
			if len(m.Value) > 6*MaxAttributionLen+2 { // at worst \u00XX per byte
				t.Fatalf("%s: %v bytes", m.Key, len(m.Value))
			}
		}
	})
}
