package cfnspec

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func load(t *testing.T) *DB {
	t.Helper()
	path, err := Find()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// fnTemplate is a template of a role and a function whose Properties
// entries are props, a parameter P and an output.
func fnTemplate(props, output string) string {
	return `{"Parameters":{"P":{"Type":"String","NoEcho":true}},"Resources":{
"Role":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]}}},
"Fn":{"Type":"AWS::Lambda::Function","Properties":{` + props + `}}},
"Outputs":{"O":{"Value":` + output + `}}}`
}

const okProps = `"Role":{"Fn::GetAtt":["Role","Arn"]},"Code":"functions/x.zip","Runtime":"provided.al2023","Timeout":5,"Architectures":["arm64"],"Environment":{"Variables":{"K":{"Ref":"P"}}},"Tags":[{"Key":"a","Value":"b"}]`

func TestValidate(t *testing.T) {
	db := load(t)
	tests := []struct {
		name     string
		template string
		want     []string
	}{
		{"valid", fnTemplate(okProps, `{"Fn::Sub":"${Fn}-${Fn.Arn}-${AWS::Region}-${!Literal}"}`), nil},
		{"unknown type", `{"Resources":{"X":{"Type":"AWS::Lambda::Functions","Properties":{}}}}`,
			[]string{`Resources.X: unknown resource type "AWS::Lambda::Functions"`}},
		{"unknown property", fnTemplate(okProps+`,"Timeouts":5`, `"x"`),
			[]string{"Resources.Fn.Properties.Timeouts: AWS::Lambda::Function has no property Timeouts"}},
		{"unknown nested property", fnTemplate(okProps+`,"LoggingConfig":{"LogFormat":"JSON","Level":"x"}`, `"x"`),
			[]string{"Resources.Fn.Properties.LoggingConfig.Level: LoggingConfig has no property Level"}},
		{"missing required", fnTemplate(`"Code":"functions/x.zip"`, `"x"`),
			[]string{"Resources.Fn.Properties: required property Role is missing"}},
		{"missing required tag value", fnTemplate(strings.Replace(okProps, `"Value":"b"`, `"Valu":"b"`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Tags[0]: required property Value is missing", "Resources.Fn.Properties.Tags[0].Valu: Tag has no property Valu"}},
		{"string for an integer", fnTemplate(strings.Replace(okProps, `"Timeout":5`, `"Timeout":"5"`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Timeout: want an integer, have a string"}},
		{"number for a string", fnTemplate(strings.Replace(okProps, `"Runtime":"provided.al2023"`, `"Runtime":2023`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Runtime: want a string, have a number"}},
		{"object for a list", fnTemplate(strings.Replace(okProps, `["arm64"]`, `{"a":"arm64"}`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Architectures: want a list, have an object"}},
		{"absolute code path", fnTemplate(strings.Replace(okProps, `"functions/x.zip"`, `"/tmp/x.zip"`, 1), `"x"`),
			[]string{`Resources.Fn.Properties.Code: a packaged artifact is a relative local path, not "/tmp/x.zip"`}},
		{"Ref of nothing", fnTemplate(strings.Replace(okProps, `{"Ref":"P"}`, `{"Ref":"Q"}`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Environment.Variables.K: Ref Q: no parameter or resource of that name"}},
		{"GetAtt of a missing attribute", fnTemplate(okProps, `{"Fn::GetAtt":["Fn","Url"]}`),
			[]string{"Outputs.O.Value: Fn::GetAtt Fn.Url: AWS::Lambda::Function has no attribute Url"}},
		{"GetAtt of a missing resource", fnTemplate(strings.Replace(okProps, `["Role","Arn"]`, `["Rol","Arn"]`, 1), `"x"`),
			[]string{"Resources.Fn.Properties.Role: Fn::GetAtt Rol.Arn: no resource Rol"}},
		{"Sub of nothing", fnTemplate(okProps, `{"Fn::Sub":"${Nope}/${Fn.Nope}/${AWS::Nope}"}`),
			[]string{"Outputs.O.Value: Ref Nope: no parameter or resource of that name", "Outputs.O.Value: Fn::GetAtt Fn.Nope: AWS::Lambda::Function has no attribute Nope", "Outputs.O.Value: no pseudo parameter AWS::Nope"}},
		{"DependsOn nothing", `{"Resources":{"B":{"Type":"AWS::S3::Bucket","DependsOn":["C"],"Properties":{}}}}`,
			[]string{`Resources.B.DependsOn: no resource "C"`}},
		{"allowed value checked by type only, union", `{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":5}}}}`,
			[]string{"Resources.R.Properties.AssumeRolePolicyDocument: the value matches none of the property's types"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := db.Validate([]byte(tt.template))
			var got []string
			for _, err := range errs {
				got = append(got, err.Error())
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("errors\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestFindSaysHowToInstall(t *testing.T) {
	t.Setenv(EnvDB, "/nonexistent/db.json.gz")
	_, err := Find()
	if err == nil || !strings.Contains(err.Error(), "npm install --prefix") || !strings.Contains(err.Error(), "@aws-cdk/aws-service-spec@"+Version) {
		t.Errorf("Find: %v", err)
	}
}

// TestCIInstallsVersion checks that .ci/run installs the version the tests
// pin.
func TestCIInstallsVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^cfnspec_version=(\S+)$`).FindSubmatch(data)
	if m == nil || string(m[1]) != Version {
		t.Errorf(".ci/run installs %q, the tests pin %s", m, Version)
	}
	if !strings.Contains(string(data), "export "+EnvDB+"=") {
		t.Errorf(".ci/run does not set %s", EnvDB)
	}
}
