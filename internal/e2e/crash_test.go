package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// TestCrash_KillDuringWrites kills a `coffer server` with SIGKILL at random
// moments, mid-request included, while a client streams PutSecretValue and
// UpdateSecretVersionStage calls against a few secrets. After each restart,
// every acknowledged version is there with exactly its value, no other
// version exists, every secret has exactly one AWSCURRENT and no label on
// two versions, and the labels are where the acknowledged calls put them,
// or where the one call in flight at the kill would have put them had it
// committed (issue 2, "How we will know": crash safety; ARCHITECTURE.md,
// "Storage": survives kill -9 with every acknowledged write).
func TestCrash_KillDuringWrites(t *testing.T) {
	t.Parallel()
	const (
		rounds   = 15
		nSecrets = 3
		minDelay = 20 * time.Millisecond
		maxDelay = 300 * time.Millisecond
		budget   = 20 * time.Second // stop adding rounds past this, after the minimum
		minRound = 8
	)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))

	s := MustStart(t)
	ctx := context.Background()
	models := make([]*crashSecret, nSecrets)
	for i := range models {
		m := &crashSecret{name: fmt.Sprintf("crash/secret-%d", i), labels: map[string]string{}, versions: map[string]string{}}
		token := fmt.Sprintf("crash-s%d-initial-%s", i, strings.Repeat("0", 24))
		sm := s.SDK()
		if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(m.name),
			SecretString: aws.String(crashValue(token)), ClientRequestToken: aws.String(token)}); err != nil {
			t.Fatal(err)
		}
		if _, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(m.name),
			VersionStage: aws.String(crashLabel), MoveToVersionId: aws.String(token)}); err != nil {
			t.Fatal(err)
		}
		m.versions[token] = crashValue(token)
		m.labels = map[string]string{"AWSCURRENT": token, crashLabel: token}
		models[i] = m
	}

	start := time.Now()
	var acked, midCommit int
	for round := 0; round < rounds && (round < minRound || time.Since(start) < budget); round++ {
		sm := s.SDK()
		result := make(chan crashClientResult, 1)
		crng := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())) // the client's own: rng is not safe for concurrent use
		go func() { result <- runCrashClient(sm, models, crng, round) }()
		delay := minDelay + time.Duration(rng.Int64N(int64(maxDelay-minDelay)))
		time.Sleep(delay)
		s.Kill()
		var res crashClientResult
		select {
		case res = <-result:
		case <-time.After(15 * time.Second):
			t.Fatalf("round %d: the client did not notice the kill", round)
		}
		if res.fatal != nil {
			t.Fatalf("round %d: %v", round, res.fatal)
		}
		acked += res.acked

		s.Restart(t)
		// Verification only reads: retries are safe, and they cover the
		// SDK's known transport race (aws/aws-sdk-go-v2#2737).
		committed := verifyCrashState(t, s.SDKWithRetries(), models, res.pending, round)
		if committed {
			midCommit++
		}
		t.Logf("round %d: killed after %v, %d calls acknowledged, call in flight: %s (committed: %v)",
			round, delay, res.acked, res.pending, committed)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d calls acknowledged in all; %d in-flight calls had committed; %v", acked, midCommit, time.Since(start))
	if acked < rounds {
		t.Errorf("only %d calls acknowledged: the kills came too early to test anything", acked)
	}
}

const crashLabel = "blue"

// crashSecret is what the client knows of one secret: the label state
// after the last acknowledged call, and every acknowledged version.
type crashSecret struct {
	name     string
	labels   map[string]string // label → version id
	versions map[string]string // version id → value
}

// crashOp is one call of the stream.
type crashOp struct {
	secret int
	put    bool
	token  string // put: the ClientRequestToken, which becomes the version id
	stage  string // stage move: the label, the version it moves to and from
	moveTo string
	from   string
}

func (op *crashOp) String() string {
	switch {
	case op == nil:
		return "none"
	case op.put:
		return fmt.Sprintf("PutSecretValue(secret %d, %s)", op.secret, op.token)
	default:
		return fmt.Sprintf("UpdateSecretVersionStage(secret %d, %s: %s → %s)", op.secret, op.stage, op.from, op.moveTo)
	}
}

// after returns the labels of m once op has committed.
func (op *crashOp) after(m *crashSecret) map[string]string {
	l := maps.Clone(m.labels)
	switch {
	case op.put: // AWSCURRENT moves to the new version, AWSPREVIOUS to the old
		l["AWSPREVIOUS"] = l["AWSCURRENT"]
		l["AWSCURRENT"] = op.token
	case op.stage == "AWSCURRENT":
		l["AWSPREVIOUS"] = l["AWSCURRENT"]
		l["AWSCURRENT"] = op.moveTo
	default:
		l[op.stage] = op.moveTo
	}
	return l
}

// commit records op in m.
func (op *crashOp) commit(m *crashSecret) {
	m.labels = op.after(m)
	if op.put {
		m.versions[op.token] = crashValue(op.token)
	}
}

// crashValue is the value stored under a token, so that any version's
// value can be checked from its id alone.
func crashValue(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "value-of:" + token + ":" + hex.EncodeToString(sum[:12])
}

type crashClientResult struct {
	acked   int
	pending *crashOp // the call that failed because of the kill; it may have committed
	fatal   error    // an answer the model did not expect
}

// runCrashClient sends calls one at a time until one fails for want of a
// server, updating the models with each acknowledged call.
func runCrashClient(sm *secretsmanager.Client, models []*crashSecret, rng *rand.Rand, round int) crashClientResult {
	var res crashClientResult
	for seq := 0; ; seq++ {
		i := rng.IntN(len(models))
		m := models[i]
		op := &crashOp{secret: i}
		current := m.labels["AWSCURRENT"]
		switch r := rng.IntN(10); {
		case r < 6 || len(m.versions) < 2:
			op.put = true
			op.token = fmt.Sprintf("crash-r%02d-s%d-%06d-%016x", round, i, seq, rng.Uint64())
		case r < 8: // AWSCURRENT back to an earlier version
			op.stage, op.from = "AWSCURRENT", current
			op.moveTo = crashPickOther(rng, m, current)
		default: // the custom label to another version
			op.stage, op.from = crashLabel, m.labels[crashLabel]
			op.moveTo = crashPickOther(rng, m, op.from)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var err error
		if op.put {
			var out *secretsmanager.PutSecretValueOutput
			out, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(m.name),
				ClientRequestToken: aws.String(op.token), SecretString: aws.String(crashValue(op.token))})
			if err == nil && aws.ToString(out.VersionId) != op.token {
				res.fatal = fmt.Errorf("%s: acknowledged as version %s", op, aws.ToString(out.VersionId))
			}
		} else {
			_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(m.name),
				VersionStage: aws.String(op.stage), MoveToVersionId: aws.String(op.moveTo), RemoveFromVersionId: aws.String(op.from)})
		}
		cancel()
		var ae smithy.APIError
		switch {
		case res.fatal != nil:
			return res
		case errors.As(err, &ae):
			// The server answered: the call was valid, so this is a bug.
			res.fatal = fmt.Errorf("%s: %v", op, err)
			return res
		case err != nil:
			res.pending = op
			return res
		}
		op.commit(m)
		res.acked++
	}
}

// crashPickOther returns a random acknowledged version of m other than not.
func crashPickOther(rng *rand.Rand, m *crashSecret, not string) string {
	ids := slices.Sorted(maps.Keys(m.versions))
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == not })
	return ids[rng.IntN(len(ids))]
}

// verifyCrashState checks the restarted server against the models, and
// folds the pending call into them if it committed, which it reports.
func verifyCrashState(t *testing.T, sm *secretsmanager.Client, models []*crashSecret, pending *crashOp, round int) (committed bool) {
	t.Helper()
	ctx := context.Background()
	for i, m := range models {
		desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(m.name)})
		if err != nil {
			t.Errorf("round %d: DescribeSecret %s: %v", round, m.name, err)
			continue
		}
		got := map[string]string{}
		for id, stages := range desc.VersionIdsToStages {
			for _, st := range stages {
				if other, dup := got[st]; dup {
					t.Errorf("round %d: %s: label %s on two versions, %s and %s", round, m.name, st, other, id)
				}
				got[st] = id
			}
		}
		if got["AWSCURRENT"] == "" {
			t.Errorf("round %d: %s: no AWSCURRENT: %v", round, m.name, desc.VersionIdsToStages)
		}
		switch {
		case pending != nil && pending.secret == i && maps.Equal(got, pending.after(m)):
			pending.commit(m)
			committed = true
		case maps.Equal(got, m.labels):
			if pending != nil && pending.secret == i && pending.put {
				// Not committed, so no trace of it.
				_, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(m.name), VersionId: aws.String(pending.token)})
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
					t.Errorf("round %d: %s: labels say %s did not commit, yet GetSecretValue of its version gives %v", round, m.name, pending, err)
				}
			}
		default:
			want := fmt.Sprint(crashSortedLabels(m.labels))
			if pending != nil && pending.secret == i {
				want += " or, had " + pending.String() + " committed, " + fmt.Sprint(crashSortedLabels(pending.after(m)))
			}
			t.Errorf("round %d: %s: labels %v, want %s", round, m.name, crashSortedLabels(got), want)
		}

		// Every acknowledged version, with exactly its value, and no other.
		for id, want := range m.versions {
			v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(m.name), VersionId: aws.String(id)})
			if err != nil {
				t.Errorf("round %d: %s: acknowledged version %s: %v", round, m.name, id, err)
				continue
			}
			if aws.ToString(v.SecretString) != want || aws.ToString(v.VersionId) != id {
				t.Errorf("round %d: %s: version %s holds %q (id %s), want %q", round, m.name, id, aws.ToString(v.SecretString), aws.ToString(v.VersionId), want)
			}
		}
		cur, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(m.name)})
		if err != nil || aws.ToString(cur.VersionId) != m.labels["AWSCURRENT"] || aws.ToString(cur.SecretString) != m.versions[m.labels["AWSCURRENT"]] {
			t.Errorf("round %d: %s: GetSecretValue gives version %s (%v), want AWSCURRENT %s", round, m.name, aws.ToString(cur.VersionId), err, m.labels["AWSCURRENT"])
		}
		listed := map[string]bool{}
		p := secretsmanager.NewListSecretVersionIdsPaginator(sm, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(m.name),
			IncludeDeprecated: aws.Bool(true), MaxResults: aws.Int32(100)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Errorf("round %d: ListSecretVersionIds %s: %v", round, m.name, err)
				break
			}
			for _, v := range page.Versions {
				listed[aws.ToString(v.VersionId)] = true
			}
		}
		for id := range listed {
			if _, ok := m.versions[id]; !ok {
				t.Errorf("round %d: %s: version %s exists but was never acknowledged nor in flight", round, m.name, id)
			}
		}
		if len(listed) != len(m.versions) {
			t.Errorf("round %d: %s: ListSecretVersionIds lists %d versions, want the %d acknowledged", round, m.name, len(listed), len(m.versions))
		}
	}
	return committed
}

func crashSortedLabels(l map[string]string) []string {
	var out []string
	for k, v := range l {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
