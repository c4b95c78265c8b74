package numberpool

// Weigh checks that an organization whose capacity is c can take one new
// account holding num (the zero Number when it holds none), invited or not,
// and returns the pending invitations the account adds: one when it is
// invited without a number. Taking an Available number uses it up; a
// Reserved one leaves the Available count alone.
func Weigh(c Capacity, num Number, invited bool) (int, error) {
	take, pending := 0, 0
	if num.E164 != "" && num.State == Available {
		take = 1
	}
	if invited && num.E164 == "" {
		pending = 1
	}
	return pending, CheckCapacity(c, take, pending)
}

// Slack is how many more pending invitations without a number the
// organization can take.
func (c Capacity) Slack() int { return c.Available - c.Pending }
