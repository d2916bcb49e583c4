package api_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/coffer-dev/coffer/internal/api"
	"github.com/coffer-dev/coffer/internal/audit"
	"github.com/coffer-dev/coffer/internal/auth"
	"github.com/coffer-dev/coffer/internal/identity"
	"github.com/coffer-dev/coffer/internal/keyring"
	"github.com/coffer-dev/coffer/internal/secrets"
	"github.com/coffer-dev/coffer/internal/store/sqlite"
)

// faultyStore is a Store whose writes fail while fail is set, as a full
// disk or a failing device would make them.
type faultyStore struct {
	secrets.Store
	fail atomic.Bool
}

var errDiskFull = errors.New("injected: no space left on device")

func (f *faultyStore) Update(ctx context.Context, fn func(secrets.Tx) error) error {
	if f.fail.Load() {
		return errDiskFull
	}
	return f.Store.Update(ctx, fn)
}

// TestAudit_StorageFault makes the store unwritable in the middle of a
// stream of reads and writes: while it is, every request fails with
// InternalServiceError (none is answered without its event in the trail),
// and once writing works again the server serves again on its own. Every
// request that was answered with success has its event in the trail.
func TestAudit_StorageFault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "coffer.db"), sqlite.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &faultyStore{Store: st}
	material := make([]byte, 32)
	rand.Read(material)
	root, err := keyring.NewRootKey(material)
	if err != nil {
		t.Fatal(err)
	}
	clk := secrets.SystemClock{}
	ids := &identity.Manager{Store: st, Root: root, Clock: clk}
	acct, err := ids.CreateAccount(ctx, "123456789012")
	if err != nil {
		t.Fatal(err)
	}
	key, err := ids.CreateAccessKey(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &secrets.Service{Store: fs, Sealer: keyring.New(root, clk, nil), Clock: clk, TokenKey: root.Derive("t")}
	log := &audit.Log{Store: fs, Key: root.Derive("audit-chain"), Clock: clk, Logger: discard}
	w := log.NewWriter()
	t.Cleanup(w.Close)
	srv := api.New(api.Options{Secrets: svc, Verifier: &auth.Verifier{Creds: ids}, Logger: discard, Audit: log, AuditWriter: w})
	url := mustListen(t, srv.Handler())
	sm := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, ""),
	})
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("v0")}); err != nil {
		t.Fatal(err)
	}

	var (
		mu        sync.Mutex
		answered  = map[string]bool{} // request ids answered with success
		failed    int
		inFault   int // successes while the fault was on
		faultOn   atomic.Bool
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		otherErrs []error
	)
	for c := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				on := faultOn.Load()
				var meta *middleware.Metadata
				var err error
				if i%2 == 0 {
					var out *secretsmanager.GetSecretValueOutput
					out, err = sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
					if err == nil {
						meta = &out.ResultMetadata
					}
				} else {
					var out *secretsmanager.PutSecretValueOutput
					out, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/db"), SecretString: aws.String(fmt.Sprintf("v-%d-%d", c, i))})
					if err == nil {
						meta = &out.ResultMetadata
					}
				}
				mu.Lock()
				switch {
				case err == nil:
					id, _ := awsmiddleware.GetRequestIDMetadata(*meta)
					answered[id] = true
					if on && faultOn.Load() {
						inFault++
					}
				default:
					var ae smithy.APIError
					if errors.As(err, &ae) && ae.ErrorCode() == "InternalServiceError" {
						failed++
					} else {
						otherErrs = append(otherErrs, err)
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	faultOn.Store(true)
	fs.fail.Store(true)
	time.Sleep(300 * time.Millisecond)
	fs.fail.Store(false)
	faultOn.Store(false)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	if len(otherErrs) > 0 {
		t.Fatalf("%d requests failed otherwise than with InternalServiceError, e.g. %v", len(otherErrs), otherErrs[0])
	}
	if failed == 0 {
		t.Fatal("no request failed while the store was unwritable")
	}
	if inFault > 0 {
		t.Errorf("%d requests sent and answered entirely within the fault succeeded", inFault)
	}
	// Service resumed: a request after the fault succeeds.
	if _, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")}); err != nil {
		t.Fatalf("after the fault cleared: %v", err)
	}
	// Every success is in the trail.
	inTrail := map[string]bool{}
	if err := log.Query(ctx, audit.Filter{}, func(_ int64, e *audit.Event) error {
		inTrail[e.RequestID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for id := range answered {
		if !inTrail[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d successful requests are not in the trail", missing, len(answered))
	}
	if n, bad, err := log.Verify(ctx); err != nil || bad != nil {
		t.Errorf("verify after the fault: %d checked, %v, %v", n, bad, err)
	}
	t.Logf("%d answered, %d failed with InternalServiceError during the fault", len(answered), failed)
}
