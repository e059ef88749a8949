package deploy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Action is what a deploy does, or would do, to one resource.
type Action string

// The actions of a plan.
const (
	Create    Action = "create"
	Update    Action = "update"
	Delete    Action = "delete"
	Unchanged Action = "unchanged"
	// Keep marks a resource that is no longer in the build but stays,
	// because --prune was not given.
	Keep Action = "keep"
)

// Resource kinds named in a Change.
const (
	ResourceRole        = "role"
	ResourceFunction    = "function"
	ResourceAlias       = "alias"
	ResourceAPI         = "api"
	ResourceStage       = "stage"
	ResourceIntegration = "integration"
	ResourceRoute       = "route"
	ResourcePermission  = "permission"
	ResourceBucket      = "bucket"
	ResourceVersion     = "version"
	ResourcePolicy      = "policy" // an IAM role's inline policy: "<role>/<policy>"
)

// Change is one step of a plan: an action on one resource, with its reason.
// Reasons name what differs (for environments, variable names only, never
// values).
type Change struct {
	Action   Action `json:"action"`
	Resource string `json:"resource"`
	Name     string `json:"name"`
	Reason   string `json:"reason,omitempty"`
}

// Summary counts the functions of a deploy, by Lambda function name.
type Summary struct {
	Created   []string `json:"created"`
	Updated   []string `json:"updated"`
	Unchanged []string `json:"unchanged"`
	Deleted   []string `json:"deleted"`
}

// String is the one-line summary: "2 created, 1 updated, 5 unchanged, 0 deleted".
func (s Summary) String() string {
	return fmt.Sprintf("%d created, %d updated, %d unchanged, %d deleted",
		len(s.Created), len(s.Updated), len(s.Unchanged), len(s.Deleted))
}

// Result is the outcome of Deploy (or, with DryRun, its plan).
type Result struct {
	App    string `json:"app"`
	Stage  string `json:"stage"`
	Region string `json:"region"`
	// URL is the HTTP API's invoke URL; empty in a dry run of a first
	// deploy.
	URL    string `json:"url,omitempty"`
	APIID  string `json:"apiId,omitempty"`
	DryRun bool   `json:"dryRun"`
	// Release numbers the deploys that moved aliases; 0 when nothing moved.
	Release int      `json:"release,omitempty"`
	Summary Summary  `json:"summary"`
	Changes []Change `json:"changes"`
	// Desired is the state the deploy brings the stage to, route by route
	// (environment variables by name only).
	Desired *Desired `json:"desired,omitempty"`
}

// WriteJSON writes r as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error {
	return writeIndented(w, r)
}

// writeIndented writes v as JSON indented by two spaces.
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteText writes the plan or outcome for a terminal: one line per change
// that is not Unchanged, then the summary and the URL.
func (r *Result) WriteText(w io.Writer) error {
	if err := WriteChanges(w, r.Changes, false); err != nil {
		return err
	}
	return r.WriteSummary(w)
}

// WriteSummary writes the summary line and the URL.
func (r *Result) WriteSummary(w io.Writer) error {
	verb := "deployed"
	if r.DryRun {
		verb = "plan"
	}
	fmt.Fprintf(w, "%s %s (stage %s, %s): %s\n", verb, r.App, r.Stage, r.Region, r.Summary)
	if r.URL != "" {
		_, err := fmt.Fprintf(w, "%s\n", r.URL)
		return err
	}
	return nil
}

// WriteChanges writes changes as an aligned table, skipping Unchanged ones
// unless all is true.
func WriteChanges(w io.Writer, changes []Change, all bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range changes {
		if c.Action == Unchanged && !all {
			continue
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\n", symbol(c.Action), c.Resource, c.Name, c.Reason)
	}
	return tw.Flush()
}

func symbol(a Action) string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	case Keep:
		return "!"
	}
	return "="
}

// changes collects a plan's steps.
type changes []Change

// moved reports whether the plan changes anything.
func (cs changes) moved() bool {
	for _, c := range cs {
		if c.Action == Create || c.Action == Update || c.Action == Delete {
			return true
		}
	}
	return false
}

func (cs *changes) add(a Action, resource, name string, reason ...string) {
	*cs = append(*cs, Change{Action: a, Resource: resource, Name: name, Reason: strings.Join(reason, "; ")})
}
