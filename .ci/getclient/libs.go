//go:build libs

package main

import (
	"fmt"
	"os"

	"github.com/go-ldap/ldap/v3"
	"github.com/itchyny/gojq"
	"github.com/mtibben/confusables"
	"github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"github.com/zalando/go-keyring"
	"go.yaml.in/yaml/v3"
	"golang.org/x/term"
)

// The linker keeps a package's tables only when code can reach them, as
// the tool's code does; this function makes them reachable and is never
// called, so that the run pays their start-up alone.
func init() {
	useLibraries = func(arg string) {
		q, _ := gojq.Parse(arg)
		fmt.Println(q, confusables.Skeleton(arg), term.IsTerminal(0))
		tablewriter.NewWriter(os.Stdout).Render()
		_ = (&cobra.Command{}).Execute()
		_ = viper.New().ReadInConfig()
		_, _ = keyring.Get(arg, arg)
		_, _ = ldap.DialURL(arg)
		_ = yaml.Unmarshal([]byte(arg), new(any))
	}
}
