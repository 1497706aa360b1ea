package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/cairn-learning/cairn/internal/access"
	"github.com/cairn-learning/cairn/internal/problem"
	"github.com/cairn-learning/cairn/internal/roster"
	"github.com/cairn-learning/cairn/internal/store"
)

// stdin is where 'cairn user create --password-stdin' reads the password;
// tests replace it.
var stdin io.Reader = os.Stdin

const userUsage = ` cairn user create|reset-link|list [flags]

  cairn user create --username U [--person-id N | --sourced-id S] [--password-stdin]
        give a person of the roster an account; without --password-stdin a
        strong password is made up and printed once
  cairn user reset-link --username U [--base-url URL] [--valid 72h]
        print a one-time link with which the person sets a new password
  cairn user list
        list the accounts

Run 'cairn user <command> --help' for the flags of each.`

func runUser(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(env.stderr, "Usage:%s\n", userUsage)
		return fmt.Errorf("%w: user needs create, reset-link or list", errUsage)
	}
	switch args[0] {
	case "create":
		return userCreate(ctx, env, args[1:])
	case "reset-link":
		return userResetLink(ctx, env, args[1:])
	case "list":
		return userList(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintf(env.stdout, "Usage:%s\n", userUsage)
		return nil
	}
	return fmt.Errorf("%w: unknown user command %q (want create, reset-link or list)", errUsage, args[0])
}

func userCreate(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "user create [flags]", `
Gives a person of the roster an account to sign in with. The person is
found by --person-id, --sourced-id or, when neither is given, by their
roster username; a person without a username gets --username. Usernames
are unique across the database, whatever their case.

The password is read from standard input with --password-stdin (the first
line, at least 10 characters); otherwise a strong one is made up and
printed once. Only its argon2id hash is stored.`)
	username := fs.String("username", "", "the username to sign in with (required)")
	personID := fs.Int64("person-id", 0, "the person's id")
	sourcedID := fs.String("sourced-id", "", "the person's id in the student information system (OneRoster sourcedId)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input instead of making one up")
	district := fs.String("district", "", "id of the person's district; may be left out when the database holds one")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	u := strings.TrimSpace(*username)
	switch {
	case u == "":
		return fmt.Errorf("%w: --username is required", errUsage)
	case *personID != 0 && *sourcedID != "":
		return fmt.Errorf("%w: give --person-id or --sourced-id, not both", errUsage)
	}
	password := ""
	if *fromStdin {
		pw, err := readPassword(stdin)
		if err != nil {
			return err
		}
		password = pw
	}

	st, districtID, err := openDistrict(ctx, db.url, *district)
	if err != nil {
		return err
	}
	defer st.Close()
	var p roster.Person
	switch {
	case *personID != 0:
		p, err = st.Person(ctx, districtID, *personID)
	case *sourcedID != "":
		p, err = st.PersonBySourcedID(ctx, districtID, *sourcedID)
	default:
		p, err = st.PersonByUsername(ctx, districtID, u)
	}
	if err != nil {
		return fmt.Errorf("find the person: %w", err)
	}
	switch {
	case p.Username == "":
		p.Username = u
		if err := st.UpdatePerson(ctx, &p); err != nil {
			return fmt.Errorf("give %s the username %q: %w", p.Name(), u, err)
		}
	case store.NormalizeUsername(p.Username) != store.NormalizeUsername(u):
		return fmt.Errorf("%s (person %d) has the roster username %q, not %q: use that one, or change it in the roster first",
			p.Name(), p.ID, p.Username, u)
	}
	if _, err := st.Account(ctx, p.ID); err == nil {
		return fmt.Errorf("%s already has an account: give them a new password with 'cairn user reset-link --username %s'", p.Name(), p.Username)
	} else if !errors.Is(err, problem.ErrNotFound) {
		return err
	}
	generated := password == ""
	if generated {
		password = access.NewPassword()
	}
	hash, err := access.HashPassword(password, access.DefaultParams)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, districtID, p.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created the account %s for %s (person %d, %s)\n",
		store.NormalizeUsername(p.Username), p.Name(), p.ID, rolesList(p.Roles))
	if generated {
		fmt.Fprintf(env.stdout, "password: %s\n", password)
		fmt.Fprintf(env.stdout, "This is the only time it is shown: it is stored only as a hash.\n")
	}
	return nil
}

// readPassword reads the first line of r as a password and checks it.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, access.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if err := access.ValidatePassword(line); err != nil {
		return "", fmt.Errorf("the password on standard input: %w", err)
	}
	return line, nil
}

func rolesList(roles []roster.Role) string {
	if len(roles) == 0 {
		return "no role"
	}
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func userResetLink(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "user reset-link [flags]", `
Prints a one-time link with which a person sets a new password, for
someone who forgot theirs or was never given one. Pass the link on to the
person only; it works once, until it expires, and a newer link replaces it.
Setting the password signs the person out everywhere.`)
	username := fs.String("username", "", "the person's username (required)")
	base := fs.String("base-url", envOr(env, "CAIRN_BASE_URL", envOr(env, "CAIRN_PUBLIC_URL", "http://"+defaultAddr)),
		"the address people open cairn at (CAIRN_BASE_URL, else CAIRN_PUBLIC_URL)")
	valid := fs.Duration("valid", access.DefaultResetValid, "how long the link works, at most 720h")
	district := fs.String("district", "", "id of the person's district, for a person without an account yet; may be left out when the database holds one")
	var db dbOptions
	db.register(fs, env, "cairn.db")
	if err := parse(fs, args); err != nil {
		return err
	}
	u := strings.TrimSpace(*username)
	if u == "" {
		return fmt.Errorf("%w: --username is required", errUsage)
	}
	if *valid <= 0 || *valid > access.MaxResetValid {
		return fmt.Errorf("%w: --valid %v: want more than 0 and at most %v", errUsage, *valid, access.MaxResetValid)
	}
	baseURL, err := parseBaseURL(*base)
	if err != nil {
		return err
	}
	st, err := openQuiet(ctx, db.url)
	if err != nil {
		return err
	}
	defer st.Close()

	// A person with an account is found through it, in any district; one
	// without is looked up in the roster of the district.
	var p roster.Person
	acc, _, err := st.AccountByUsername(ctx, u)
	switch {
	case err == nil:
		p, err = st.Person(ctx, acc.DistrictID, acc.PersonID)
	case errors.Is(err, problem.ErrNotFound):
		var districtID int64
		if districtID, err = chooseDistrict(ctx, st, *district); err == nil {
			p, err = st.PersonByUsername(ctx, districtID, u)
		}
	}
	if err != nil {
		return fmt.Errorf("find %q: %w", u, err)
	}
	secret, hash := access.NewSecret()
	expires := st.WallClock().Add(*valid)
	if err := st.CreateResetLink(ctx, p.ID, hash, expires); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "one-time link for %s (%s, person %d), valid until %s:\n%s/reset/%s\n",
		store.NormalizeUsername(p.Username), p.Name(), p.ID, expires.Format("2006-01-02 15:04 MST"), baseURL, secret)
	return nil
}

// parseBaseURL checks the address people open cairn at.
func parseBaseURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: --base-url %q: want an address such as https://cairn.example.org", errUsage, s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func userList(ctx context.Context, env *environment, args []string) error {
	fs := newFlags(env, "user list [flags]", "Lists the accounts, of one district or of all.")
	district := fs.String("district", "", "id of the district to list (default: all)")
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
	var districts []int64
	if *district != "" {
		id, err := chooseDistrict(ctx, st, *district)
		if err != nil {
			return err
		}
		districts = []int64{id}
	} else {
		ds, err := st.Districts(ctx)
		if err != nil {
			return err
		}
		for _, d := range ds {
			districts = append(districts, d.ID)
		}
	}
	now := st.WallClock()
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DISTRICT\tPERSON\tUSERNAME\tNAME\tROLES\tSTATUS\tLAST SIGN-IN")
	for _, d := range districts {
		var page store.Page
		for {
			accs, next, err := st.Accounts(ctx, d, page)
			if err != nil {
				return err
			}
			for _, a := range accs {
				p, err := st.Person(ctx, d, a.PersonID)
				if err != nil {
					return err
				}
				status := "active"
				switch {
				case a.Disabled:
					status = "disabled"
				case access.Locked(a.LockedUntil, now):
					status = "locked until " + a.LockedUntil.Local().Format("15:04")
				}
				last := "never"
				if !a.LastSignInAt.IsZero() {
					last = a.LastSignInAt.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", d, a.PersonID, a.Username, p.Name(), rolesList(p.Roles), status, last)
			}
			if next == 0 {
				break
			}
			page.After = next
		}
	}
	return tw.Flush()
}
