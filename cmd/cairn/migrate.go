package main

import (
	"context"
	"fmt"
	"net/url"
)

func runMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "migrate [flags]", `
Creates the database if needed and applies every migration it lacks, then
exits. 'cairn serve' does the same at start; run this on its own before
starting several servers on one PostgreSQL database.`)
	var db dbOptions
	db.register(fs, env, "cairn.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openQuiet(ctx, db.url)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		fmt.Fprintf(env.stdout, "applied %s\n", m)
	}
	fmt.Fprintf(env.stdout, "%s database %s is up to date\n", st.Engine(), redactURL(db.url))
	return nil
}

// redactURL hides the password of a database URL in messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
