// Package todo is the app's model: validation and an in-memory store.
package todo

import (
	"errors"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxTitle is the longest title accepted, in characters.
const MaxTitle = 200

// Todo is one item.
type Todo struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

// Input is a create or update request; nil fields were not sent.
type Input struct {
	Title *string `json:"title"`
	Done  *bool   `json:"done"`
}

// Validate checks in; a create needs a title.
func (in Input) Validate(create bool) error {
	if in.Title == nil {
		if create {
			return errors.New("title is required")
		}
		if in.Done == nil {
			return errors.New("nothing to update: send title or done")
		}
		return nil
	}
	title := strings.TrimSpace(*in.Title)
	switch {
	case title == "":
		return errors.New("title must not be empty")
	case utf8.RuneCountInString(title) > MaxTitle:
		return errors.New("title must be at most 200 characters")
	}
	return nil
}

// Store keeps todos in memory, safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	next  int
	items map[int]Todo
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{next: 1, items: map[int]Todo{}} }

// Default is the store the routes use.
var Default = NewStore()

// List returns every todo, by id.
func (s *Store) List() []Todo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Todo, 0, len(s.items))
	for _, t := range s.items {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Create adds a todo from a validated input.
func (s *Store) Create(in Input) Todo {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Todo{ID: s.next, Title: strings.TrimSpace(*in.Title)}
	if in.Done != nil {
		t.Done = *in.Done
	}
	s.items[t.ID] = t
	s.next++
	return t
}

// Get returns the todo with id.
func (s *Store) Get(id int) (Todo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.items[id]
	return t, ok
}

// Update applies a validated input to the todo with id.
func (s *Store) Update(id int, in Input) (Todo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.items[id]
	if !ok {
		return Todo{}, false
	}
	if in.Title != nil {
		t.Title = strings.TrimSpace(*in.Title)
	}
	if in.Done != nil {
		t.Done = *in.Done
	}
	s.items[id] = t
	return t, true
}

// Delete removes the todo with id.
func (s *Store) Delete(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[id]
	delete(s.items, id)
	return ok
}
