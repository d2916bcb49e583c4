package e2e

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	_ "modernc.org/sqlite" // the "sqlite" driver, to tamper with the data dir from outside
)

// trailEvent is the part of a CloudTrail record the tests read.
type trailEvent struct {
	EventName    string `json:"eventName"`
	EventSource  string `json:"eventSource"`
	ErrorCode    string `json:"errorCode"`
	ReadOnly     bool   `json:"readOnly"`
	UserIdentity struct {
		Type        string `json:"type"`
		ARN         string `json:"arn"`
		AccountID   string `json:"accountId"`
		AccessKeyID string `json:"accessKeyId"`
		PrincipalID string `json:"principalId"`
	} `json:"userIdentity"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	RecipientAccountID string          `json:"recipientAccountId"`
	Resources          []struct {
		ARN string `json:"ARN"`
	} `json:"resources"`
}

// auditTrail runs `coffer admin audit` (server stopped) with args and
// returns the events it prints.
func auditTrail(t *testing.T, s *Server, args ...string) ([]trailEvent, string) {
	t.Helper()
	out, code := cofferExit(t, append([]string{"admin", "audit", "--data-dir", s.DataDir, "--key-file", s.KeyFile}, args...)...)
	if code != 0 {
		t.Fatalf("coffer admin audit %v: exit %d\n%s", args, code, out)
	}
	var evs []trailEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var e trailEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		evs = append(evs, e)
	}
	return evs, out
}

// TestAudit_Trail performs a scripted sequence through the SDKs and checks
// the trail holds exactly its events, with the right identities and error
// codes, no secret material, and a chain that verifies.
func TestAudit_Trail(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	ctx := t.Context()
	root := s.rootCreds()
	sm, rootIAM := s.SMAs(root), s.IAMAs(root)
	value, pending := "audit-secret-"+randomMarker(), "audit-pending-"+randomMarker()

	arn := createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("prod/audit"), SecretString: aws.String(value)})
	_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/audit")})
	must(t, err)
	user := newUser(t, ctx, rootIAM, "auditee") // CreateUser, CreateAccessKey
	_, err = s.SMAs(user).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/audit")})
	apiError(t, err, "AccessDeniedException", "")
	bad := user
	bad.SecretKey = "x" + bad.SecretKey[1:]
	_, err = s.SMAs(bad).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/audit")})
	apiError(t, err, "InvalidSignatureException", "")
	put, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/audit"), SecretString: aws.String(pending), VersionStages: []string{"AWSPENDING"}})
	must(t, err)
	cur, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/audit")})
	must(t, err)
	var curID string
	for id, stages := range cur.VersionIdsToStages {
		for _, st := range stages {
			if st == "AWSCURRENT" {
				curID = id
			}
		}
	}
	_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("prod/audit"), VersionStage: aws.String("AWSCURRENT"),
		MoveToVersionId: put.VersionId, RemoveFromVersionId: aws.String(curID)})
	must(t, err)
	ar, err := s.STSAs(user).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	_ = ar
	_, err = sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("prod/audit"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	must(t, err)
	_, err = rootIAM.ListUsers(ctx, &iam.ListUsersInput{})
	must(t, err)
	s.Stop(t)

	evs, raw := auditTrail(t, s)
	type want struct{ name, source, code, idType, arn string }
	rootARN := "arn:aws:iam::" + s.Account + ":root"
	userARN := "arn:aws:iam::" + s.Account + ":user/auditee"
	wants := []want{
		{"CreateSecret", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"GetSecretValue", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"CreateUser", "iam.amazonaws.com", "", "Root", rootARN},
		{"CreateAccessKey", "iam.amazonaws.com", "", "Root", rootARN},
		{"GetSecretValue", "secretsmanager.amazonaws.com", "AccessDeniedException", "IAMUser", userARN},
		{"DescribeSecret", "secretsmanager.amazonaws.com", "InvalidSignatureException", "Unknown", ""},
		{"PutSecretValue", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"DescribeSecret", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"UpdateSecretVersionStage", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"GetCallerIdentity", "sts.amazonaws.com", "", "IAMUser", userARN},
		{"DeleteSecret", "secretsmanager.amazonaws.com", "", "Root", rootARN},
		{"ListUsers", "iam.amazonaws.com", "", "Root", rootARN},
	}
	if len(evs) != len(wants) {
		t.Fatalf("%d events, want %d:\n%s", len(evs), len(wants), raw)
	}
	for i, w := range wants {
		e := evs[i]
		if e.EventName != w.name || e.EventSource != w.source || e.ErrorCode != w.code || e.UserIdentity.Type != w.idType || e.UserIdentity.ARN != w.arn {
			t.Errorf("event %d = %s %s %q %s %s, want %+v", i, e.EventName, e.EventSource, e.ErrorCode, e.UserIdentity.Type, e.UserIdentity.ARN, w)
		}
	}
	if evs[5].UserIdentity.AccessKeyID != user.AccessKey {
		t.Errorf("the bad signature's event names access key %q, want %q", evs[5].UserIdentity.AccessKeyID, user.AccessKey)
	}
	if !evs[1].ReadOnly || evs[0].ReadOnly {
		t.Errorf("readOnly: GetSecretValue %v, CreateSecret %v", evs[1].ReadOnly, evs[0].ReadOnly)
	}
	if len(evs[1].Resources) == 0 || evs[1].Resources[0].ARN != arn {
		t.Errorf("GetSecretValue's resources: %+v, want %s", evs[1].Resources, arn)
	}
	if !strings.Contains(string(evs[0].RequestParameters), `"secretString":"HIDDEN_DUE_TO_SECURITY_REASONS"`) {
		t.Errorf("CreateSecret's requestParameters: %s", evs[0].RequestParameters)
	}

	// Filters.
	byName, _ := auditTrail(t, s, "--event-name", "GetSecretValue")
	denied, _ := auditTrail(t, s, "--error-code", "AccessDeniedException")
	byUser, _ := auditTrail(t, s, "--principal", userARN)
	if len(byName) != 2 || len(denied) != 1 || denied[0].EventName != "GetSecretValue" || len(byUser) != 2 {
		t.Errorf("filters: %d by name (want 2), %d denied (want 1), %d by the user (want 2)", len(byName), len(denied), len(byUser))
	}
	future, _ := auditTrail(t, s, "--from", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if len(future) != 0 {
		t.Errorf("--from an hour ahead: %d events", len(future))
	}

	// Nothing secret anywhere in the data dir: the values, the user's
	// secret access key.
	ns := leakForms([]leakValue{{"value", []byte(value)}, {"pending", []byte(pending)}, {"user secret key", []byte(user.SecretKey)}})
	if leaks := findLeaksInDir(t, s.DataDir, ns); len(leaks) > 0 {
		t.Errorf("secret material in the data dir: %v", leaks)
	}
	if leaks := findLeaks([]byte(raw), ns); len(leaks) > 0 {
		t.Errorf("secret material in the export: %v", leaks)
	}

	out, code := cofferExit(t, "admin", "audit", "verify", "--data-dir", s.DataDir, "--key-file", s.KeyFile)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("audit verify: exit %d\n%s", code, out)
	}
}

// TestAudit_VerifyCatchesTampering edits the trail in the data dir from
// outside Coffer and runs `coffer admin audit verify`: an edited event and
// a truncated tail are each named.
func TestAudit_VerifyCatchesTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"EditedEvent", `UPDATE audit_events SET event = CAST(replace(CAST(event AS TEXT), 'GetSecretValue', 'GetSecretValuf') AS BLOB) WHERE seq = 2`, "event 2"},
		{"TruncatedTail", `DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)`, "event"},
		{"SwappedEvents", `UPDATE audit_events SET seq = -1 WHERE seq = 2; UPDATE audit_events SET seq = 2 WHERE seq = 3; UPDATE audit_events SET seq = 3 WHERE seq = -1`, "event 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := MustStart(t)
			ctx := t.Context()
			sm := s.SMAs(s.rootCreds())
			createSecret(t, ctx, sm, &secretsmanager.CreateSecretInput{Name: aws.String("t1"), SecretString: aws.String("v")})
			for range 3 {
				_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("t1")})
				must(t, err)
			}
			s.Stop(t)
			if out, code := cofferExit(t, "admin", "audit", "verify", "--data-dir", s.DataDir, "--key-file", s.KeyFile); code != 0 {
				t.Fatalf("verify before tampering: exit %d\n%s", code, out)
			}
			db, err := sql.Open("sqlite", filepath.Join(s.DataDir, "coffer.db"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sql); err != nil {
				t.Fatal(err)
			}
			db.Close()
			out, code := cofferExit(t, "admin", "audit", "verify", "--data-dir", s.DataDir, "--key-file", s.KeyFile)
			if code == 0 || !strings.Contains(out, tc.want) {
				t.Errorf("verify after %s: exit %d\n%s", tc.name, code, out)
			}
		})
	}
}
