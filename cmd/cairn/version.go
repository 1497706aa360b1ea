package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func runVersion(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "version", "Prints the version of this binary and the Go it was built with.")
	if err := parse(fs, args); err != nil {
		return err
	}
	v, goVersion := version, "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if v == "" {
			v = info.Main.Version
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += " (" + s.Value[:12] + ")"
				}
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	fmt.Fprintf(env.stdout, "cairn %s, built with %s\n", v, goVersion)
	return nil
}
