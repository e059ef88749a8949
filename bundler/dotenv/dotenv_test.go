package dotenv

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// allFiles defines WHICH in every file, so the winner shows the precedence,
// and one key of its own per file.
var allFiles = map[string]string{
	".env":                   "WHICH=env\nFROM_ENV=1\n",
	".env.local":             "WHICH=local\nFROM_LOCAL=1\n",
	".env.development":       "WHICH=development\nFROM_DEVELOPMENT=1\n",
	".env.development.local": "WHICH=development.local\nFROM_DEVELOPMENT_LOCAL=1\n",
	".env.production":        "WHICH=production\nFROM_PRODUCTION=1\n",
	".env.production.local":  "WHICH=production.local\nFROM_PRODUCTION_LOCAL=1\n",
	".env.test":              "WHICH=test\nFROM_TEST=1\n",
	".env.test.local":        "WHICH=test.local\nFROM_TEST_LOCAL=1\n",
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		mode  string
		want  map[string]string
		read  []string
	}{
		{
			name: "development, every file", files: allFiles, mode: Development,
			want: map[string]string{"WHICH": "development.local", "FROM_ENV": "1", "FROM_LOCAL": "1", "FROM_DEVELOPMENT": "1", "FROM_DEVELOPMENT_LOCAL": "1"},
			read: []string{".env.development.local", ".env.local", ".env.development", ".env"},
		},
		{
			name: "production, every file", files: allFiles, mode: Production,
			want: map[string]string{"WHICH": "production.local", "FROM_ENV": "1", "FROM_LOCAL": "1", "FROM_PRODUCTION": "1", "FROM_PRODUCTION_LOCAL": "1"},
			read: []string{".env.production.local", ".env.local", ".env.production", ".env"},
		},
		{
			name: "test skips .env.local", files: allFiles, mode: Test,
			want: map[string]string{"WHICH": "test.local", "FROM_ENV": "1", "FROM_TEST": "1", "FROM_TEST_LOCAL": "1"},
			read: []string{".env.test.local", ".env.test", ".env"},
		},
		{
			name: ".env.local beats .env.development", files: map[string]string{".env": "WHICH=env\n", ".env.local": "WHICH=local\n", ".env.development": "WHICH=development\n"}, mode: Development,
			want: map[string]string{"WHICH": "local"},
			read: []string{".env.local", ".env.development", ".env"},
		},
		{
			name: "mode file beats .env", files: map[string]string{".env": "WHICH=env\n", ".env.production": "WHICH=production\n"}, mode: Production,
			want: map[string]string{"WHICH": "production"},
			read: []string{".env.production", ".env"},
		},
		{
			name: "no files", files: nil, mode: Production,
			want: map[string]string{}, read: nil,
		},
		{
			name: "syntax", mode: Development,
			files: map[string]string{".env": "# comment\nexport A=1\nB = two words # trailing comment\nC=\"line\\nbreak\"\nD='single $A'\nE=\"${A}-x\"\nF=\nG: yaml\n"},
			want:  map[string]string{"A": "1", "B": "two words", "C": "line\nbreak", "D": "single $A", "E": "1-x", "F": "", "G": "yaml"},
			read:  []string{".env"},
		},
		{
			name: "CRLF line ends", mode: Development,
			files: map[string]string{".env": "A=1\r\nB=2\r\n"},
			want:  map[string]string{"A": "1", "B": "2"},
			read:  []string{".env"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			got, read, err := Load(dir, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("env = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(read, tt.read) {
				t.Errorf("read = %v, want %v", read, tt.read)
			}
		})
	}
}

// The real environment wins over every file; variables only in the real
// environment are not returned.
func TestLoadRealEnvironmentWins(t *testing.T) {
	t.Setenv("NEXTGO_DOTENV_REAL", "from-process")
	t.Setenv("NEXTGO_DOTENV_EMPTY", "")
	t.Setenv("NEXTGO_DOTENV_ONLY_REAL", "x")
	dir := writeFiles(t, map[string]string{
		".env":       "NEXTGO_DOTENV_REAL=from-file\nNEXTGO_DOTENV_EMPTY=from-file\nOTHER=file\n",
		".env.local": "NEXTGO_DOTENV_REAL=from-local\n",
	})
	got, _, err := Load(dir, Development)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"NEXTGO_DOTENV_REAL": "from-process", "NEXTGO_DOTENV_EMPTY": "", "OTHER": "file"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env = %v, want %v", got, want)
	}
}

// Errors name the file and line, and never a value.
func TestLoadErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name, file, body, mode, want string
	}{
		{name: "unterminated quote", file: ".env.local", mode: Development,
			body: "A=1\nB=2\nTOKEN=\"" + secret + "\nC=3\n",
			want: ".env.local: line 3: unterminated quoted value (the line is not shown: it may hold a secret)"},
		{name: "bad name", file: ".env", mode: Production,
			body: "A=1\n\nMY-TOKEN=" + secret + "\n",
			want: ".env: line 3: invalid character in a variable name (names are letters, digits, _ and .) (the line is not shown: it may hold a secret)"},
		{name: "bad name after multi-line value", file: ".env", mode: Production,
			body: "A=\"one\ntwo\"\nB=2\n" + secret + " here=1\n",
			want: ".env: line 4: invalid character in a variable name (names are letters, digits, _ and .) (the line is not shown: it may hold a secret)"},
		{name: "unknown mode", mode: "staging",
			want: `dotenv: unknown mode "staging": want development, production or test`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			if tt.file != "" {
				files[tt.file] = tt.body
			}
			_, _, err := Load(writeFiles(t, files), tt.mode)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error %q\nwant %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error prints the secret: %q", err)
			}
		})
	}
}

// A directory where a file is expected is skipped, as Next does.
func TestLoadSkipsDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{".env": "A=1\n"})
	if err := os.Mkdir(filepath.Join(dir, ".env.local"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, read, err := Load(dir, Development)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]string{"A": "1"}) || !reflect.DeepEqual(read, []string{".env"}) {
		t.Errorf("got %v from %v", got, read)
	}
}
