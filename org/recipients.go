package org

import (
	"fmt"

	"github.com/multilinehq/multiline/mlerr"
)

// MaxAlertRecipients bounds an organization's alert recipients: each alert
// is one message to each of them.
const MaxAlertRecipients = 20

// checkRecipients checks the alert recipients: each one address under the
// email address policy (CheckEmail), exactly as saved — no list in one entry
// ("a@x, b@y"), no display name, no line break that would add a header —
// and no more than MaxAlertRecipients. Each refusal is a field error of
// "alert_recipients" with the code "alert_recipients.<rule>".
func checkRecipients(rs []string) []error {
	var errs []error
	if len(rs) > MaxAlertRecipients {
		errs = append(errs, mlerr.Invalid("alert_recipients", "alert_recipients.too_many", fmt.Sprint(len(rs)),
			fmt.Sprintf("Alert Recipients: at most %d addresses; %d were given", MaxAlertRecipients, len(rs))))
	}
	for i, r := range rs {
		rule := CheckEmail(r)
		if rule == "" {
			continue
		}
		errs = append(errs, mlerr.Invalid("alert_recipients", "alert_recipients."+string(rule), r,
			fmt.Sprintf("Alert Recipient %d %s", i+1, recipientRuleText[rule])))
	}
	return errs
}

var recipientRuleText = map[EmailRule]string{
	EmailFormat:      "must be a single address like name@example.com",
	EmailDisplayName: "must be the bare address, without a display name, comment or angle brackets",
	EmailSpace:       "must not contain spaces, line breaks or other control characters",
	EmailDomain:      "must have a domain with a dot, like example.com, made of letters, digits and hyphens",
	EmailTooLong:     "must be at most 254 characters, with at most 64 before the @",
}
