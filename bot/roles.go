package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// Role is what a person may do with the bot. Each role may do what the roles below it may.
type Role int

// The roles.
const (
	Citizen Role = iota // anyone: ask, page, read sections, rate
	Staff               // keeps the corpus current (POLICYBOT_STAFF)
	Admin               // reviews the query log (POLICYBOT_ADMINS); admins are staff too
)

// String names the role.
func (r Role) String() string {
	switch r {
	case Staff:
		return "staff"
	case Admin:
		return "admin"
	}
	return "citizen"
}

// Roles knows who is staff and who is admin, by Telegram user id. The zero value knows nobody.
type Roles struct {
	staff, admins map[int64]bool
}

// ParseRoles reads the staff and admin lists as POLICYBOT_STAFF and POLICYBOT_ADMINS give them:
// Telegram user ids separated by commas or spaces. It returns an error naming an entry that is not a
// user id.
func ParseRoles(staff, admins string) (Roles, error) {
	var r Roles
	var err error
	if r.staff, err = parseIDs("POLICYBOT_STAFF", staff); err != nil {
		return Roles{}, err
	}
	if r.admins, err = parseIDs("POLICYBOT_ADMINS", admins); err != nil {
		return Roles{}, err
	}
	return r, nil
}

func parseIDs(name, list string) (map[int64]bool, error) {
	ids := map[int64]bool{}
	for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("parse %s: %q is not a Telegram user id", name, f)
		}
		ids[id] = true
	}
	return ids, nil
}

// Of returns the role of a user.
func (r Roles) Of(user int64) Role {
	switch {
	case r.admins[user]:
		return Admin
	case r.staff[user]:
		return Staff
	}
	return Citizen
}

// Allows reports whether user may do what needs role need.
func (r Roles) Allows(user int64, need Role) bool { return r.Of(user) >= need }

// Count returns how many staff (admins included) and admins there are.
func (r Roles) Count() (staff, admins int) {
	n := len(r.admins)
	for id := range r.staff {
		if !r.admins[id] {
			n++
		}
	}
	return n, len(r.admins)
}

// IDs returns the users who may do what needs role need (for Staff: staff and admins), as a set.
func (r Roles) IDs(need Role) map[int64]bool {
	out := map[int64]bool{}
	for _, m := range []map[int64]bool{r.staff, r.admins} {
		for id := range m {
			if r.Allows(id, need) {
				out[id] = true
			}
		}
	}
	return out
}
