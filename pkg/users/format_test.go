package users

import (
	"testing"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, data string
		want       Format
	}{
		{"users.yaml", "[]", FormatYAML},
		{"users.YML", "", FormatYAML},
		{"users.json", "users: []", FormatJSON},
		{"users.csv", "", FormatCSV},
		{"-", `[{"email":"a@b.c"}]`, FormatJSON},
		{"-", "\ufeff\n  {\"users\": []}", FormatJSON},
		{"-", "users:\n- email: a@b.c\n", FormatYAML},
		{"-", "- email: a@b.c\n", FormatYAML},
		{"-", "# comment\nemail,accountRole\na@b.c,editor\n", FormatCSV},
		{"-", "\"email\",\"accountRole\"\n", FormatCSV},
		{"-", "accountRole,email\n", FormatCSV},
		{"users.txt", "email,accountRole,dataDomainRoles\n", FormatCSV},
		{"-", "email: a@b.c\n", FormatYAML},
		{"-", "", FormatYAML},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, []byte(tt.data)); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %s, want %s", tt.name, tt.data, got, tt.want)
		}
	}
}
