package sts_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/clock"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/sts"
)

// directory knows one role and one user.
type directory struct{}

const (
	account = "111122223333"
	roleARN = "arn:aws:iam::111122223333:role/app/rotator"
	userARN = "arn:aws:iam::111122223333:user/alice"
)

func (directory) Role(_ context.Context, acct, name string) (*sts.Role, error) {
	if acct == account && name == "rotator" {
		return &sts.Role{ARN: roleARN, ID: "AROAROTATOR", Name: "rotator", MaxSessionDuration: 2 * time.Hour,
			TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`}, nil
	}
	return nil, nil
}

func (directory) UserID(context.Context, string) (string, error) { return "AIDAALICE", nil }

func (directory) PolicyDocument(context.Context, string) (string, error) {
	return "", secrets.ErrNotFound
}

func service(t *testing.T) (*sts.Service, *clock.Fake) {
	t.Helper()
	m := make([]byte, 32)
	rand.Read(m)
	root, err := keyring.NewRootKey(m)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	return &sts.Service{Root: root, Clock: clk, Directory: directory{}}, clk
}

var alice = secrets.Caller{Account: account, Region: "us-east-1", Principal: userARN, UserID: "AIDAALICE"}

// TestSessionTokens: a token opens only for its own access key id, not
// once changed in any byte, and not once expired.
func TestSessionTokens(t *testing.T) {
	t.Parallel()
	svc, clk := service(t)
	ctx := t.Context()
	out, err := svc.AssumeRole(ctx, alice, sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s1", Duration: 15 * time.Minute,
		Tags: []secrets.Tag{{Key: "team", Value: "core"}}, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	cr := out.Credentials
	if !strings.HasPrefix(cr.AccessKeyID, "ASIA") || len(cr.SecretAccessKey) != 40 || !cr.Expiration.Equal(clk.Now().Add(15*time.Minute)) {
		t.Fatalf("credentials: %+v", out)
	}
	if out.AssumedRoleARN != "arn:aws:sts::111122223333:assumed-role/rotator/s1" || out.AssumedRoleID != "AROAROTATOR:s1" || out.PackedPolicySize == nil {
		t.Fatalf("assumed role: %+v", out)
	}
	id, secret, err := svc.LookupSession(ctx, cr.AccessKeyID, cr.SessionToken)
	if err != nil || string(secret) != cr.SecretAccessKey || id.Principal != out.AssumedRoleARN || id.Session == nil ||
		id.Session.RoleARN != roleARN || id.Session.RoleID != "AROAROTATOR" || len(id.Session.Tags) != 1 || id.Session.Policy == "" {
		t.Fatalf("LookupSession: %+v %v", id, err)
	}
	// Another access key id.
	other := "ASIA" + strings.Repeat("A", 16)
	if _, _, err := svc.LookupSession(ctx, other, cr.SessionToken); !errors.Is(err, auth.ErrUnknownAccessKey) {
		t.Errorf("token for another access key id: %v", err)
	}
	// Any byte changed.
	for i := 0; i < len(cr.SessionToken); i += 7 {
		b := []byte(cr.SessionToken)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if _, _, err := svc.LookupSession(ctx, cr.AccessKeyID, string(b)); err == nil {
			t.Fatalf("token changed at %d opened", i)
		}
	}
	// Expired.
	clk.Advance(15 * time.Minute)
	if _, _, err := svc.LookupSession(ctx, cr.AccessKeyID, cr.SessionToken); !errors.Is(err, auth.ErrExpiredToken) {
		t.Errorf("expired token: %v", err)
	}
}

// TestAssumeRole_Refusals covers AWS's refusals that need no policy.
func TestAssumeRole_Refusals(t *testing.T) {
	t.Parallel()
	svc, _ := service(t)
	ctx := t.Context()
	root := secrets.Caller{Account: account, Region: "us-east-1", Principal: "arn:aws:iam::111122223333:root"}
	for _, tc := range []struct {
		name string
		c    secrets.Caller
		in   sts.AssumeRoleInput
		kind secrets.Kind
		msg  string
	}{
		{"Root", root, sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s"}, secrets.Denied, "Roles may not be assumed by root accounts."},
		{"NoSuchRole", alice, sts.AssumeRoleInput{RoleARN: "arn:aws:iam::111122223333:role/none", SessionName: "s"}, secrets.Denied,
			"User: " + userARN + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/none"},
		{"WrongPath", alice, sts.AssumeRoleInput{RoleARN: "arn:aws:iam::111122223333:role/rotator", SessionName: "s"}, secrets.Denied,
			"User: " + userARN + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/rotator"},
		{"TooLong", alice, sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s", Duration: 3 * time.Hour}, secrets.Validation,
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"Chained", secrets.Caller{Account: account, Principal: "arn:aws:sts::111122223333:assumed-role/rotator/x", Session: &secrets.Session{RoleARN: roleARN}},
			sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s", Duration: 90 * time.Minute}, secrets.Validation,
			"The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"BadPolicy", alice, sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s", Policy: `{"Statement":[{"Effect":"Allow"}]}`}, secrets.MalformedPolicy, ""},
		{"OtherAccountPolicyArn", alice, sts.AssumeRoleInput{RoleARN: roleARN, SessionName: "s", PolicyARNs: []string{"arn:aws:iam::444455556666:policy/p"}}, secrets.InvalidParameter,
			"Policy arn:aws:iam::444455556666:policy/p does not exist or is not attachable."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.AssumeRole(ctx, tc.c, tc.in)
			if secrets.KindOf(err) != tc.kind || tc.msg != "" && secrets.MessageOf(err) != tc.msg {
				t.Fatalf("got %v, want %v %q", err, tc.kind, tc.msg)
			}
		})
	}
	// GetSessionToken: not from session credentials; root's last an hour.
	if _, err := svc.GetSessionToken(ctx, secrets.Caller{Account: account, Principal: userARN, Session: &secrets.Session{}}, 0); secrets.KindOf(err) != secrets.Denied {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}
	cr, err := svc.GetSessionToken(ctx, root, 36*time.Hour)
	if err != nil || cr.Expiration.Sub(svc.Clock.Now()) != time.Hour {
		t.Errorf("root's GetSessionToken: %+v %v", cr, err)
	}
}
