package policy

import "strings"

// ForAction returns p narrowed to the statements whose Action or NotAction
// can match action (case-insensitive): a policy that decides every request
// for that action exactly as p does, for callers that evaluate the same
// policies for the same action many times and can keep the result. It
// returns p itself when every statement can match, and a policy without
// statements when none can (still a policy: a session or key policy that
// allows nothing still narrows).
func (p *Policy) ForAction(action string) *Policy {
	if p == nil {
		return nil
	}
	action = strings.ToLower(action)
	var keep []*Statement
	for i, s := range p.Statement {
		if matchesAction(s, action) {
			if keep != nil {
				keep = append(keep, s)
			}
			continue
		}
		if keep == nil {
			keep = make([]*Statement, i, len(p.Statement))
			copy(keep, p.Statement[:i])
		}
	}
	if keep == nil {
		return p
	}
	q := *p
	q.Statement = keep
	return &q
}

// matchesAction reports whether s's Action or NotAction matches the
// lower-cased action.
func matchesAction(s *Statement, action string) bool {
	for _, a := range s.actions {
		if actionMatch(a, action) {
			return !s.notAction
		}
	}
	return s.notAction
}

// DenyOnly returns p with only its Deny statements: for callers that must
// let a policy's denials apply where its allows do not.
func (p *Policy) DenyOnly() *Policy {
	if p == nil {
		return nil
	}
	q := *p
	q.Statement = nil
	for _, s := range p.Statement {
		if s.Effect == EffectDeny {
			q.Statement = append(q.Statement, s)
		}
	}
	return &q
}
