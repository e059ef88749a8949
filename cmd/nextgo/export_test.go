package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestExportCloudFormationCommand(t *testing.T) {
	tests := []struct {
		args    []string
		out     []string // lines the output holds
		wantErr string
	}{
		{args: []string{"export", "cloudformation", "--help"}, out: []string{
			"nextgo export cloudformation [dir] [flags]",
			"aws cloudformation package --template-file .nextgo/build/template.yaml",
			"--capabilities CAPABILITY_NAMED_IAM",
			"--format string       template format: yaml or json (default \"yaml\")",
			"-o, --out string          template file (default <build dir>/template.<format>)",
			"-s, --stage string        stage the template creates: resources are named and tagged with it (default \"dev\")",
		}},
		{args: []string{"export", "--help"}, out: []string{"cloudformation Write the app as an AWS CloudFormation template"}},
		{args: []string{"export", "cloudformation", "--format", "toml"}, wantErr: `format "toml": want yaml or json`},
		{args: []string{"export", "cloudformation", "--stage", "a/b"}, wantErr: `stage name "a/b": only letters, digits, '-' and '_' are allowed`},
		{args: []string{"export", "cloudformation", "a", "b"}, wantErr: "accepts at most 1 arg(s), received 2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := newRootCmd()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			flat := strings.Join(strings.Fields(out.String()), " ")
			for _, line := range tt.out {
				if !strings.Contains(flat, strings.Join(strings.Fields(line), " ")) {
					t.Errorf("output lacks %q:\n%s", line, out.String())
				}
			}
		})
	}
}
