package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/secrets"
)

func TestRoles(t *testing.T) {
	e := newEnv(t)
	r := must[*secrets.IAMRole](t)(e.svc.CreateRole(e.ctx, root, iam.CreateRoleInput{
		Name: "Deploy", Path: "/ci/", TrustPolicy: trust, Description: "deploys",
		Tags: []secrets.Tag{{Key: "env", Value: "prod"}},
	}))
	if !roleIDPattern.MatchString(r.ID) || r.ARN != "arn:aws:iam::"+acct+":role/ci/Deploy" || r.MaxSessionDuration != 3600 || r.TrustPolicy != trust {
		t.Errorf("CreateRole = %+v", r)
	}
	for _, c := range []struct {
		name string
		in   iam.CreateRoleInput
		kind secrets.Kind
		msg  string
	}{
		{"taken", iam.CreateRoleInput{Name: "deploy", TrustPolicy: trust}, secrets.Exists, "Role with name deploy already exists."},
		{"short session", iam.CreateRoleInput{Name: "x", TrustPolicy: trust, MaxSessionDuration: 100}, secrets.Validation,
			"1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"long session", iam.CreateRoleInput{Name: "x", TrustPolicy: trust, MaxSessionDuration: 43201}, secrets.Validation, ""},
		{"not JSON", iam.CreateRoleInput{Name: "x", TrustPolicy: "{"}, secrets.MalformedPolicy, "This policy contains invalid Json"},
		{"other actions", iam.CreateRoleInput{Name: "x", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject"}]}`},
			secrets.MalformedPolicy, "AssumeRole policy may only specify STS AssumeRole actions."},
		{"a Resource", iam.CreateRoleInput{Name: "x", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}`},
			secrets.MalformedPolicy, "Has prohibited field Resource"},
		{"no Principal", iam.CreateRoleInput{Name: "x", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`},
			secrets.MalformedPolicy, ""},
		{"boundary", iam.CreateRoleInput{Name: "x", TrustPolicy: trust, PermissionsBoundary: "arn:aws:iam::" + acct + ":policy/b"}, secrets.InvalidParameter, ""},
	} {
		_, err := e.svc.CreateRole(e.ctx, root, c.in)
		wantErr(t, c.name, err, c.kind, c.msg)
	}
	// Old trust policies (Version 2008-10-17) and session tagging are accepted.
	old := `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	must[*secrets.IAMRole](t)(e.svc.CreateRole(e.ctx, root, iam.CreateRoleInput{Name: "ecs", TrustPolicy: old, MaxSessionDuration: 43200}))

	// Role is what STS needs.
	got := must[*secrets.IAMRole](t)(e.svc.Role(e.ctx, acct, "DEPLOY"))
	if got.ID != r.ID || got.ARN != r.ARN || got.TrustPolicy != trust || got.MaxSessionDuration != 3600 || len(got.Tags) != 1 {
		t.Errorf("Role = %+v", got)
	}
	_, err := e.svc.Role(e.ctx, acct, "nobody")
	wantErr(t, "Role(nobody)", err, secrets.NotFound, "The role with name nobody cannot be found.")

	desc := ""
	ok(t, e.svc.UpdateRole(e.ctx, root, iam.UpdateRoleInput{Name: "deploy", MaxSessionDuration: 7200}))
	got = must[*secrets.IAMRole](t)(e.svc.GetRole(e.ctx, root, "deploy"))
	if got.MaxSessionDuration != 7200 || got.Description != "deploys" {
		t.Errorf("after UpdateRole(MaxSessionDuration) = %+v", got)
	}
	ok(t, e.svc.UpdateRole(e.ctx, root, iam.UpdateRoleInput{Name: "deploy", Description: &desc}))
	got = must[*secrets.IAMRole](t)(e.svc.GetRole(e.ctx, root, "deploy"))
	if got.MaxSessionDuration != 7200 || got.Description != "" {
		t.Errorf("after UpdateRole(Description) = %+v", got)
	}
	wantErr(t, "UpdateRole nobody", e.svc.UpdateRole(e.ctx, root, iam.UpdateRoleInput{Name: "nobody"}), secrets.NotFound, "The role with name nobody cannot be found.")

	newTrust := strings.Replace(trust, acct+":root", acct+":user/ci", 1)
	ok(t, e.svc.UpdateAssumeRolePolicy(e.ctx, root, "deploy", newTrust))
	if got := must[*secrets.IAMRole](t)(e.svc.Role(e.ctx, acct, "deploy")); got.TrustPolicy != newTrust {
		t.Errorf("trust policy after UpdateAssumeRolePolicy = %s", got.TrustPolicy)
	}
	wantErr(t, "UpdateAssumeRolePolicy bad", e.svc.UpdateAssumeRolePolicy(e.ctx, root, "deploy", "nope"), secrets.MalformedPolicy, "This policy contains invalid Json")

	ok(t, e.svc.TagRole(e.ctx, root, "deploy", []secrets.Tag{{Key: "ENV", Value: "dev"}, {Key: "a", Value: "b"}}))
	ok(t, e.svc.UntagRole(e.ctx, root, "deploy", []string{"A"}))
	tags, _, err := e.svc.ListRoleTags(e.ctx, root, "deploy", iam.PageInput{})
	ok(t, err)
	if fmt.Sprint(tags) != "[{ENV dev}]" {
		t.Errorf("ListRoleTags = %v", tags)
	}
	err = e.svc.TagRole(e.ctx, root, "deploy", []secrets.Tag{{Key: "k", Value: "1"}, {Key: "K", Value: "2"}})
	wantErr(t, "TagRole duplicate keys", err, secrets.InvalidParameter, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")

	roles, _, err := e.svc.ListRoles(e.ctx, root, iam.ListInput{})
	ok(t, err)
	if len(roles) != 2 || roles[0].Name != "Deploy" || roles[1].Name != "ecs" {
		t.Errorf("ListRoles = %v", roles)
	}

	p := e.policy(t, "p", allow("s3:*", "*"))
	ok(t, e.svc.PutInlinePolicy(e.ctx, root, iam.KindRole, "deploy", "inline", allow("s3:*", "*")))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindRole, "deploy", p.ARN))
	wantErr(t, "DeleteRole with inline", e.svc.DeleteRole(e.ctx, root, "deploy"), secrets.Conflict, "Cannot delete entity, must delete policies first.")
	ok(t, e.svc.DeleteInlinePolicy(e.ctx, root, iam.KindRole, "deploy", "INLINE"))
	wantErr(t, "DeleteRole with attached", e.svc.DeleteRole(e.ctx, root, "deploy"), secrets.Conflict, "Cannot delete entity, must detach all policies first.")
	ok(t, e.svc.DetachPolicy(e.ctx, root, iam.KindRole, "deploy", p.ARN))
	ok(t, e.svc.DeleteRole(e.ctx, root, "deploy"))
	_, err = e.svc.GetRole(e.ctx, root, "deploy")
	wantErr(t, "GetRole deleted", err, secrets.NotFound, "The role with name deploy cannot be found.")
}

func TestInlinePolicies(t *testing.T) {
	for _, c := range []struct {
		kind   iam.Kind
		create func(e *env)
		limit  int
	}{
		{iam.KindUser, func(e *env) { e.user(t, "Them") }, 2048},
		{iam.KindGroup, func(e *env) { must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "Them", "")) }, 5120},
		{iam.KindRole, func(e *env) { e.role(t, "Them") }, 10240},
	} {
		t.Run(c.kind.String(), func(t *testing.T) {
			e := newEnv(t)
			word := c.kind.String()
			err := e.svc.PutInlinePolicy(e.ctx, root, c.kind, "nobody", "p", allow("s3:*", "*"))
			wantErr(t, "Put on nobody", err, secrets.NotFound, "The "+word+" with name nobody cannot be found.")
			c.create(e)
			doc := allow("s3:GetObject", "*")
			ok(t, e.svc.PutInlinePolicy(e.ctx, root, c.kind, "them", "Read", doc))
			ok(t, e.svc.PutInlinePolicy(e.ctx, root, c.kind, "them", "admin", allow("*", "*")))
			name, p, err := e.svc.GetInlinePolicy(e.ctx, root, c.kind, "THEM", "read")
			ok(t, err)
			if name != "Them" || p.Name != "Read" || p.Document != doc {
				t.Errorf("GetInlinePolicy = %s, %+v", name, p)
			}
			// Putting it again replaces it.
			doc2 := allow("s3:PutObject", "*")
			ok(t, e.svc.PutInlinePolicy(e.ctx, root, c.kind, "them", "Read", doc2))
			_, p, err = e.svc.GetInlinePolicy(e.ctx, root, c.kind, "them", "Read")
			ok(t, err)
			if p == nil || p.Document != doc2 {
				t.Errorf("after replacing: %+v", p)
			}
			names, _, err := e.svc.ListInlinePolicies(e.ctx, root, c.kind, "them", iam.PageInput{})
			ok(t, err)
			if strings.Join(names, ",") != "admin,Read" {
				t.Errorf("ListInlinePolicies = %v", names)
			}

			for _, bad := range []struct{ doc, msg string }{
				{"not json", "Syntax errors in policy."},
				{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Policy document should not specify a principal."},
			} {
				err := e.svc.PutInlinePolicy(e.ctx, root, c.kind, "them", "bad", bad.doc)
				wantErr(t, "Put "+bad.doc, err, secrets.MalformedPolicy, bad.msg)
			}
			big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("b", c.limit) + `"}]}`
			err = e.svc.PutInlinePolicy(e.ctx, root, c.kind, "them", "big", big)
			wantErr(t, "Put over the size quota", err, secrets.LimitExceeded,
				fmt.Sprintf("Maximum policy size of %d bytes exceeded for %s Them", c.limit, word))

			missing := "The " + word + " policy with name gone cannot be found."
			_, _, err = e.svc.GetInlinePolicy(e.ctx, root, c.kind, "them", "gone")
			wantErr(t, "Get missing", err, secrets.NotFound, missing)
			wantErr(t, "Delete missing", e.svc.DeleteInlinePolicy(e.ctx, root, c.kind, "them", "gone"), secrets.NotFound, missing)
			ok(t, e.svc.DeleteInlinePolicy(e.ctx, root, c.kind, "them", "read"))
			names, _, err = e.svc.ListInlinePolicies(e.ctx, root, c.kind, "them", iam.PageInput{})
			ok(t, err)
			if strings.Join(names, ",") != "admin" {
				t.Errorf("ListInlinePolicies after delete = %v", names)
			}
		})
	}
}

func TestManagedPolicies(t *testing.T) {
	e := newEnv(t)
	doc := allow("secretsmanager:GetSecretValue", "*")
	p := must[*secrets.IAMPolicy](t)(e.svc.CreatePolicy(e.ctx, root, iam.CreatePolicyInput{
		Name: "ReadSecrets", Path: "/app/", Document: doc, Description: "reads",
		Tags: []secrets.Tag{{Key: "a", Value: "1"}, {Key: "A", Value: "2"}}, // exact keys for policies
	}))
	if !polIDPattern.MatchString(p.ID) || p.ARN != "arn:aws:iam::"+acct+":policy/app/ReadSecrets" || p.DefaultVersion != "v1" ||
		p.AttachmentCount != 0 || len(p.Versions) != 1 || p.Versions[0].Document != doc {
		t.Errorf("CreatePolicy = %+v", p)
	}
	for _, c := range []struct {
		name string
		in   iam.CreatePolicyInput
		kind secrets.Kind
		msg  string
	}{
		{"taken in another path and case", iam.CreatePolicyInput{Name: "readsecrets", Document: doc}, secrets.Exists,
			"A policy called readsecrets already exists. Duplicate names are not allowed."},
		{"no Version", iam.CreatePolicyInput{Name: "x", Document: `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
			secrets.MalformedPolicy, "Policy document must be version 2012-10-17 or greater."},
		{"Version 2008", iam.CreatePolicyInput{Name: "x", Document: `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
			secrets.MalformedPolicy, "Policy document must be version 2012-10-17 or greater."},
		{"not JSON", iam.CreatePolicyInput{Name: "x", Document: "{"}, secrets.MalformedPolicy, "Syntax errors in policy."},
		{"duplicate tags", iam.CreatePolicyInput{Name: "x", Document: doc, Tags: []secrets.Tag{{Key: "a"}, {Key: "a"}}}, secrets.InvalidParameter, "Duplicate tag keys found."},
		{"too big", iam.CreatePolicyInput{Name: "x", Document: allow("s3:*", "arn:aws:s3:::"+strings.Repeat("b", 6144))}, secrets.LimitExceeded, "Cannot exceed quota for PolicySize: 6144"},
		{"bad path", iam.CreatePolicyInput{Name: "x", Path: "/a b/", Document: doc}, secrets.Validation, ""},
	} {
		_, err := e.svc.CreatePolicy(e.ctx, root, c.in)
		wantErr(t, c.name, err, c.kind, c.msg)
	}

	got := must[*secrets.IAMPolicy](t)(e.svc.GetPolicy(e.ctx, root, p.ARN))
	if got.ID != p.ID || len(got.Tags) != 2 {
		t.Errorf("GetPolicy = %+v", got)
	}
	for _, arn := range []string{"arn:aws:iam::" + acct + ":policy/ReadSecrets", "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::210987654321:policy/app/ReadSecrets"} {
		_, err := e.svc.GetPolicy(e.ctx, root, arn)
		wantErr(t, "GetPolicy "+arn, err, secrets.NotFound, "Policy "+arn+" was not found.")
	}
	_, err := e.svc.GetPolicy(e.ctx, root, "ReadSecrets")
	wantErr(t, "GetPolicy by name", err, secrets.Validation, "ARN ReadSecrets is not valid.")

	// Versions: at most five, ids never reused, listed newest first.
	for i := 2; i <= 5; i++ {
		v := must[*iam.PolicyVersion](t)(e.svc.CreatePolicyVersion(e.ctx, root, p.ARN, allow(fmt.Sprintf("s3:Get%d", i), "*"), i == 3))
		if v.ID != fmt.Sprintf("v%d", i) || v.Default != (i == 3) {
			t.Errorf("CreatePolicyVersion %d = %+v", i, v)
		}
	}
	_, err = e.svc.CreatePolicyVersion(e.ctx, root, p.ARN, doc, false)
	wantErr(t, "sixth version", err, secrets.LimitExceeded,
		"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	versions, _, err := e.svc.ListPolicyVersions(e.ctx, root, p.ARN, iam.PageInput{})
	ok(t, err)
	var ids []string
	for _, v := range versions {
		id := v.ID
		if v.Default {
			id += "*"
		}
		ids = append(ids, id)
	}
	if strings.Join(ids, " ") != "v5 v4 v3* v2 v1" {
		t.Errorf("ListPolicyVersions = %v", ids)
	}
	v1 := must[*iam.PolicyVersion](t)(e.svc.GetPolicyVersion(e.ctx, root, p.ARN, "v1"))
	if v1.Document != doc || v1.Default {
		t.Errorf("GetPolicyVersion(v1) = %+v", v1)
	}
	_, err = e.svc.GetPolicyVersion(e.ctx, root, p.ARN, "v9")
	wantErr(t, "GetPolicyVersion v9", err, secrets.NotFound, "Policy "+p.ARN+" version v9 does not exist or is not attachable.")
	wantErr(t, "DeletePolicyVersion default", e.svc.DeletePolicyVersion(e.ctx, root, p.ARN, "v3"), secrets.Conflict, "Cannot delete the default version of a policy.")
	wantErr(t, "SetDefaultPolicyVersion v9", e.svc.SetDefaultPolicyVersion(e.ctx, root, p.ARN, "v9"), secrets.NotFound, "")
	ok(t, e.svc.DeletePolicyVersion(e.ctx, root, p.ARN, "v5"))
	v6 := must[*iam.PolicyVersion](t)(e.svc.CreatePolicyVersion(e.ctx, root, p.ARN, doc, false))
	if v6.ID != "v6" {
		t.Errorf("version after a deletion = %s, want v6", v6.ID)
	}
	ok(t, e.svc.SetDefaultPolicyVersion(e.ctx, root, p.ARN, "v1"))
	if got := must[*secrets.IAMPolicy](t)(e.svc.GetPolicy(e.ctx, root, p.ARN)); got.DefaultVersion != "v1" {
		t.Errorf("DefaultVersion = %s, want v1", got.DefaultVersion)
	}

	// Attachments count; DeletePolicy refuses while attached or versioned.
	e.user(t, "alice")
	must[*secrets.IAMGroup](t)(e.svc.CreateGroup(e.ctx, root, "devs", ""))
	e.role(t, "ci")
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", p.ARN))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "ALICE", p.ARN)) // again: no change
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindGroup, "devs", p.ARN))
	ok(t, e.svc.AttachPolicy(e.ctx, root, iam.KindRole, "ci", p.ARN))
	if got := must[*secrets.IAMPolicy](t)(e.svc.GetPolicy(e.ctx, root, p.ARN)); got.AttachmentCount != 3 {
		t.Errorf("AttachmentCount = %d, want 3", got.AttachmentCount)
	}
	refs, _, err := e.svc.ListEntitiesForPolicy(e.ctx, root, iam.ListEntitiesInput{ARN: p.ARN})
	ok(t, err)
	if len(refs) != 3 || fmt.Sprint(refs) != fmt.Sprintf("[{group devs %s} {user alice %s} {role ci %s}]", refs[0].ID, refs[1].ID, refs[2].ID) {
		t.Errorf("ListEntitiesForPolicy = %v", refs)
	}
	refs, _, err = e.svc.ListEntitiesForPolicy(e.ctx, root, iam.ListEntitiesInput{ARN: p.ARN, Filter: "Role"})
	ok(t, err)
	if len(refs) != 1 || refs[0].Name != "ci" {
		t.Errorf("ListEntitiesForPolicy(Role) = %v", refs)
	}
	attached, _, err := e.svc.ListAttachedPolicies(e.ctx, root, iam.KindUser, "alice", "", iam.PageInput{})
	ok(t, err)
	if len(attached) != 1 || attached[0].Name != "ReadSecrets" || attached[0].ARN != p.ARN {
		t.Errorf("ListAttachedPolicies = %v", attached)
	}
	if attached, _, err := e.svc.ListAttachedPolicies(e.ctx, root, iam.KindUser, "alice", "/other/", iam.PageInput{}); err != nil || len(attached) != 0 {
		t.Errorf("ListAttachedPolicies(/other/) = %v", attached)
	}
	policies, _, err := e.svc.ListPolicies(e.ctx, root, iam.ListPoliciesInput{OnlyAttached: true})
	ok(t, err)
	if len(policies) != 1 {
		t.Errorf("ListPolicies(OnlyAttached) = %v", policies)
	}
	if policies, _, err := e.svc.ListPolicies(e.ctx, root, iam.ListPoliciesInput{Scope: iam.ScopeAWS}); err != nil || len(policies) != 0 {
		t.Errorf("ListPolicies(AWS) = %v", policies)
	}
	wantErr(t, "DeletePolicy attached", e.svc.DeletePolicy(e.ctx, root, p.ARN), secrets.Conflict, "Cannot delete a policy attached to entities.")

	missingARN := "arn:aws:iam::" + acct + ":policy/nope"
	wantErr(t, "Attach missing", e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", missingARN), secrets.NotFound,
		"Policy "+missingARN+" does not exist or is not attachable.")
	wantErr(t, "Attach by name", e.svc.AttachPolicy(e.ctx, root, iam.KindUser, "alice", "nope"), secrets.Validation, "ARN nope is not valid.")
	wantErr(t, "Detach not attached", e.svc.DetachPolicy(e.ctx, root, iam.KindUser, "alice", missingARN), secrets.NotFound,
		"Policy "+missingARN+" was not found.")
	ok(t, e.svc.DetachPolicy(e.ctx, root, iam.KindUser, "alice", p.ARN))
	ok(t, e.svc.DetachPolicy(e.ctx, root, iam.KindGroup, "devs", p.ARN))
	ok(t, e.svc.DetachPolicy(e.ctx, root, iam.KindRole, "ci", p.ARN))
	if got := must[*secrets.IAMPolicy](t)(e.svc.GetPolicy(e.ctx, root, p.ARN)); got.AttachmentCount != 0 {
		t.Errorf("AttachmentCount after detaching = %d", got.AttachmentCount)
	}
	wantErr(t, "DeletePolicy with versions", e.svc.DeletePolicy(e.ctx, root, p.ARN), secrets.Conflict,
		"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v2", "v3", "v4", "v6"} {
		ok(t, e.svc.DeletePolicyVersion(e.ctx, root, p.ARN, v))
	}
	ok(t, e.svc.DeletePolicy(e.ctx, root, p.ARN))
	_, err = e.svc.GetPolicy(e.ctx, root, p.ARN)
	wantErr(t, "GetPolicy deleted", err, secrets.NotFound, "")
}

func TestAttachQuota(t *testing.T) {
	e := newEnv(t)
	e.role(t, "r")
	for i := range iam.MaxAttachedPolicies + 1 {
		p := e.policy(t, fmt.Sprintf("p%02d", i), allow("s3:*", "*"))
		err := e.svc.AttachPolicy(e.ctx, root, iam.KindRole, "r", p.ARN)
		if i < iam.MaxAttachedPolicies {
			ok(t, err)
		} else {
			wantErr(t, "eleventh policy", err, secrets.LimitExceeded, "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}
}

func TestListPolicies_Pagination(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"c", "A", "b", "D"} {
		e.policy(t, n, allow("s3:*", "*"))
	}
	must[*secrets.IAMPolicy](t)(e.svc.CreatePolicy(e.ctx, root, iam.CreatePolicyInput{Name: "e", Path: "/team/", Document: allow("s3:*", "*")}))
	var names []string
	in := iam.ListPoliciesInput{Scope: iam.ScopeLocal, PageInput: iam.PageInput{MaxItems: 2}}
	for {
		ps, p, err := e.svc.ListPolicies(e.ctx, root, in)
		ok(t, err)
		for _, x := range ps {
			names = append(names, x.Name)
		}
		if !p.Truncated {
			break
		}
		in.Marker = p.Marker
	}
	if strings.Join(names, "") != "AbcDe" {
		t.Errorf("ListPolicies pages = %v", names)
	}
	ps, _, err := e.svc.ListPolicies(e.ctx, root, iam.ListPoliciesInput{PathPrefix: "/team/"})
	ok(t, err)
	if len(ps) != 1 || ps[0].Name != "e" {
		t.Errorf("ListPolicies(/team/) = %v", ps)
	}
}
