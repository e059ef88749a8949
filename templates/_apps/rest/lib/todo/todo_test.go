package todo

import (
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		create bool
		err    string
	}{
		{"create", Input{Title: ptr("a")}, true, ""},
		{"create without title", Input{Done: ptr(true)}, true, "title is required"},
		{"blank title", Input{Title: ptr("  ")}, true, "title must not be empty"},
		{"long title", Input{Title: ptr(strings.Repeat("é", 201))}, true, "title must be at most 200 characters"},
		{"longest title", Input{Title: ptr(strings.Repeat("é", 200))}, true, ""},
		{"update done", Input{Done: ptr(true)}, false, ""},
		{"update nothing", Input{}, false, "nothing to update: send title or done"},
	}
	for _, tt := range tests {
		err := tt.in.Validate(tt.create)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.err)
		}
	}
}

func TestStore(t *testing.T) {
	s := NewStore()
	a := s.Create(Input{Title: ptr(" first ")})
	b := s.Create(Input{Title: ptr("second"), Done: ptr(true)})
	if a != (Todo{ID: 1, Title: "first"}) || b != (Todo{ID: 2, Title: "second", Done: true}) {
		t.Fatalf("created %+v %+v", a, b)
	}
	if got, ok := s.Update(1, Input{Done: ptr(true)}); !ok || !got.Done || got.Title != "first" {
		t.Errorf("update: %+v %v", got, ok)
	}
	if !s.Delete(2) || s.Delete(2) {
		t.Error("delete twice")
	}
	if list := s.List(); len(list) != 1 || list[0].ID != 1 {
		t.Errorf("list: %+v", list)
	}
	if _, ok := s.Get(2); ok {
		t.Error("get deleted")
	}
}
