package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coffer-dev/coffer/internal/iam"
	"github.com/coffer-dev/coffer/internal/secrets"
)

// IAM wire shapes: member names as the iam 2010-05-08 model names them.
// Responses carry what AWS sends for each operation, which is not always
// every member of the output shape (localstack's snapshots recorded
// against AWS): ListUsers leaves out Tags, ListRoles Tags and RoleLastUsed,
// CreateRole MaxSessionDuration unless it was given, ListPolicies and
// CreatePolicy the Description, and GetPolicy always has Tags, [] when
// there are none.

type (
	iamTag struct {
		Key   string `json:"Key"`
		Value string `json:"Value"`
	}
	iamUserOut struct {
		Path       string    `json:"Path,omitempty"`
		UserName   string    `json:"UserName,omitempty"`
		UserId     string    `json:"UserId"`
		Arn        string    `json:"Arn"`
		CreateDate time.Time `json:"CreateDate"`
		Tags       []iamTag  `json:"Tags,omitempty"`
	}
	iamGroupOut struct {
		Path       string    `json:"Path"`
		GroupName  string    `json:"GroupName"`
		GroupId    string    `json:"GroupId"`
		Arn        string    `json:"Arn"`
		CreateDate time.Time `json:"CreateDate"`
	}
	iamRoleOut struct {
		Path                     string    `json:"Path"`
		RoleName                 string    `json:"RoleName"`
		RoleId                   string    `json:"RoleId"`
		Arn                      string    `json:"Arn"`
		CreateDate               time.Time `json:"CreateDate"`
		AssumeRolePolicyDocument string    `json:"AssumeRolePolicyDocument,omitempty"`
		Description              string    `json:"Description,omitempty"`
		MaxSessionDuration       *int      `json:"MaxSessionDuration,omitempty"`
		Tags                     []iamTag  `json:"Tags,omitempty"`
		RoleLastUsed             *struct{} `json:"RoleLastUsed,omitempty"`
	}
	iamPolicyOut struct {
		PolicyName                    string    `json:"PolicyName"`
		PolicyId                      string    `json:"PolicyId"`
		Arn                           string    `json:"Arn"`
		Path                          string    `json:"Path"`
		DefaultVersionId              string    `json:"DefaultVersionId"`
		AttachmentCount               int       `json:"AttachmentCount"`
		PermissionsBoundaryUsageCount int       `json:"PermissionsBoundaryUsageCount"`
		IsAttachable                  bool      `json:"IsAttachable"`
		Description                   string    `json:"Description,omitempty"`
		CreateDate                    time.Time `json:"CreateDate"`
		UpdateDate                    time.Time `json:"UpdateDate"`
		Tags                          []iamTag  `json:"Tags,omitzero"` // nil: absent; empty: []
	}
	iamPolicyVersionOut struct {
		Document         string    `json:"Document,omitempty"`
		VersionId        string    `json:"VersionId"`
		IsDefaultVersion bool      `json:"IsDefaultVersion"`
		CreateDate       time.Time `json:"CreateDate"`
	}
	iamAccessKeyOut struct {
		UserName        string    `json:"UserName,omitempty"` // none for the root's keys
		AccessKeyId     string    `json:"AccessKeyId"`
		Status          string    `json:"Status"`
		SecretAccessKey string    `json:"SecretAccessKey,omitempty"`
		CreateDate      time.Time `json:"CreateDate"`
	}
	iamAttachedPolicyOut struct {
		PolicyName string `json:"PolicyName"`
		PolicyArn  string `json:"PolicyArn"`
	}
	iamPolicyGroupOut struct {
		GroupName string `json:"GroupName"`
		GroupId   string `json:"GroupId"`
	}
	iamPolicyUserOut struct {
		UserName string `json:"UserName"`
		UserId   string `json:"UserId"`
	}
	iamPolicyRoleOut struct {
		RoleName string `json:"RoleName"`
		RoleId   string `json:"RoleId"`
	}
)

// Requests. One struct serves the operations that differ only in the kind
// of identity they name (UserName, GroupName or RoleName).
type (
	iamRequest struct {
		UserName       string
		GroupName      string
		RoleName       string
		Path           string
		PathPrefix     string
		PolicyName     string
		PolicyDocument string
		PolicyArn      string
		VersionId      string
		SetAsDefault   bool
		Tags           []iamTag
		TagKeys        []string
		Marker         string
		MaxItems       int
	}
	createUserRequest struct {
		Path                string
		UserName            string
		PermissionsBoundary string
		Tags                []iamTag
	}
	iamAccessKeyRequest struct {
		UserName    string
		AccessKeyId string
		Status      string
		Marker      string
		MaxItems    int
	}
	createRoleRequest struct {
		Path                     string
		RoleName                 string
		AssumeRolePolicyDocument string
		Description              string
		MaxSessionDuration       int
		PermissionsBoundary      string
		Tags                     []iamTag
	}
	updateRoleRequest struct {
		RoleName           string
		Description        *string
		MaxSessionDuration int
	}
	createPolicyRequest struct {
		PolicyName     string
		Path           string
		PolicyDocument string
		Description    string
		Tags           []iamTag
	}
	listPoliciesRequest struct {
		Scope             string
		OnlyAttached      bool
		PathPrefix        string
		PolicyUsageFilter string
		Marker            string
		MaxItems          int
	}
	listEntitiesRequest struct {
		PolicyArn         string
		EntityFilter      string
		PathPrefix        string
		PolicyUsageFilter string
		Marker            string
		MaxItems          int
	}
)

// The list responses. Lists are never null: AWS sends an empty list.
type (
	listUsersResponse struct {
		Users       []iamUserOut `json:"Users"`
		IsTruncated bool         `json:"IsTruncated"`
		Marker      string       `json:"Marker,omitempty"`
	}
	getGroupResponse struct {
		Group       iamGroupOut  `json:"Group"`
		Users       []iamUserOut `json:"Users"`
		IsTruncated bool         `json:"IsTruncated"`
		Marker      string       `json:"Marker,omitempty"`
	}
	listGroupsResponse struct {
		Groups      []iamGroupOut `json:"Groups"`
		IsTruncated bool          `json:"IsTruncated"`
		Marker      string        `json:"Marker,omitempty"`
	}
	listRolesResponse struct {
		Roles       []iamRoleOut `json:"Roles"`
		IsTruncated bool         `json:"IsTruncated"`
		Marker      string       `json:"Marker,omitempty"`
	}
	listTagsResponse struct {
		Tags        []iamTag `json:"Tags"`
		IsTruncated bool     `json:"IsTruncated"`
		Marker      string   `json:"Marker,omitempty"`
	}
	listAccessKeysResponse struct {
		AccessKeyMetadata []iamAccessKeyOut `json:"AccessKeyMetadata"`
		IsTruncated       bool              `json:"IsTruncated"`
		Marker            string            `json:"Marker,omitempty"`
	}
	listPolicyNamesResponse struct {
		PolicyNames []string `json:"PolicyNames"`
		IsTruncated bool     `json:"IsTruncated"`
		Marker      string   `json:"Marker,omitempty"`
	}
	listAttachedResponse struct {
		AttachedPolicies []iamAttachedPolicyOut `json:"AttachedPolicies"`
		IsTruncated      bool                   `json:"IsTruncated"`
		Marker           string                 `json:"Marker,omitempty"`
	}
	listPoliciesResponse struct {
		Policies    []iamPolicyOut `json:"Policies"`
		IsTruncated bool           `json:"IsTruncated"`
		Marker      string         `json:"Marker,omitempty"`
	}
	listPolicyVersionsResponse struct {
		Versions    []iamPolicyVersionOut `json:"Versions"`
		IsTruncated bool                  `json:"IsTruncated"`
		Marker      string                `json:"Marker,omitempty"`
	}
	listEntitiesResponse struct {
		PolicyGroups []iamPolicyGroupOut `json:"PolicyGroups"`
		PolicyUsers  []iamPolicyUserOut  `json:"PolicyUsers"`
		PolicyRoles  []iamPolicyRoleOut  `json:"PolicyRoles"`
		IsTruncated  bool                `json:"IsTruncated"`
		Marker       string              `json:"Marker,omitempty"`
	}
)

// errInvalidClientTokenID is how IAM refuses temporary credentials from
// GetSessionToken without MFA (iam.ErrSessionCredentials): the request's
// security token is "invalid", 403 (aws/aws-cli#8918 quotes the
// ErrorResponse; 99designs/aws-vault#328).
var errInvalidClientTokenID = &wireError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid", Status: http.StatusForbidden}

// iamOps is the IAM operation table, keyed by the query protocol's Action.
func iamOps(svc *iam.Service) map[string]handler {
	ops := map[string]handler{
		// Users.
		"CreateUser": op(func(ctx context.Context, c secrets.Caller, r *createUserRequest) (any, error) {
			u, err := svc.CreateUser(ctx, c, iam.CreateUserInput{
				Name: r.UserName, Path: r.Path, PermissionsBoundary: r.PermissionsBoundary, Tags: iamTagsIn(r.Tags),
			})
			if err != nil {
				return nil, err
			}
			return struct {
				User iamUserOut `json:"User"`
			}{iamUserOf(u, true)}, nil
		}),
		"GetUser": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			u, err := svc.GetUser(ctx, c, r.UserName)
			if err != nil {
				return nil, err
			}
			return struct {
				User iamUserOut `json:"User"`
			}{iamUserOf(u, true)}, nil
		}),
		"ListUsers": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			users, p, err := svc.ListUsers(ctx, c, iam.ListInput{PathPrefix: r.PathPrefix, PageInput: pageOf(r)})
			if err != nil {
				return nil, err
			}
			resp := listUsersResponse{Users: make([]iamUserOut, 0, len(users)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, u := range users {
				resp.Users = append(resp.Users, iamUserOf(u, false))
			}
			return resp, nil
		}),
		"DeleteUser": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.DeleteUser(ctx, c, r.UserName)
		}),
		"TagUser": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.TagUser(ctx, c, r.UserName, iamTagsIn(r.Tags))
		}),
		"UntagUser": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.UntagUser(ctx, c, r.UserName, r.TagKeys)
		}),
		"ListUserTags": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			tags, p, err := svc.ListUserTags(ctx, c, r.UserName, pageOf(r))
			if err != nil {
				return nil, err
			}
			return listTagsResponse{Tags: iamTagsOut(tags), IsTruncated: p.Truncated, Marker: p.Marker}, nil
		}),

		// Access keys.
		"CreateAccessKey": op(func(ctx context.Context, c secrets.Caller, r *iamAccessKeyRequest) (any, error) {
			k, err := svc.CreateAccessKey(ctx, c, r.UserName)
			if err != nil {
				return nil, err
			}
			return struct {
				AccessKey iamAccessKeyOut `json:"AccessKey"`
			}{iamAccessKeyOut{
				UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, SecretAccessKey: k.SecretAccessKey, CreateDate: k.CreatedAt,
			}}, nil
		}),
		"ListAccessKeys": op(func(ctx context.Context, c secrets.Caller, r *iamAccessKeyRequest) (any, error) {
			keys, p, err := svc.ListAccessKeys(ctx, c, r.UserName, iam.PageInput{Marker: r.Marker, MaxItems: r.MaxItems})
			if err != nil {
				return nil, err
			}
			resp := listAccessKeysResponse{AccessKeyMetadata: make([]iamAccessKeyOut, 0, len(keys)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, k := range keys {
				resp.AccessKeyMetadata = append(resp.AccessKeyMetadata, iamAccessKeyOut{
					UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, CreateDate: k.CreatedAt,
				})
			}
			return resp, nil
		}),
		"UpdateAccessKey": op(func(ctx context.Context, c secrets.Caller, r *iamAccessKeyRequest) (any, error) {
			return nil, svc.UpdateAccessKey(ctx, c, r.UserName, r.AccessKeyId, r.Status)
		}),
		"DeleteAccessKey": op(func(ctx context.Context, c secrets.Caller, r *iamAccessKeyRequest) (any, error) {
			return nil, svc.DeleteAccessKey(ctx, c, r.UserName, r.AccessKeyId)
		}),

		// Groups.
		"CreateGroup": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			g, err := svc.CreateGroup(ctx, c, r.GroupName, r.Path)
			if err != nil {
				return nil, err
			}
			return struct {
				Group iamGroupOut `json:"Group"`
			}{iamGroupOf(g)}, nil
		}),
		"GetGroup": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			g, users, p, err := svc.GetGroup(ctx, c, r.GroupName, pageOf(r))
			if err != nil {
				return nil, err
			}
			resp := getGroupResponse{Group: iamGroupOf(g), Users: make([]iamUserOut, 0, len(users)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, u := range users {
				resp.Users = append(resp.Users, iamUserOf(u, false))
			}
			return resp, nil
		}),
		"ListGroups": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			groups, p, err := svc.ListGroups(ctx, c, iam.ListInput{PathPrefix: r.PathPrefix, PageInput: pageOf(r)})
			if err != nil {
				return nil, err
			}
			return listGroupsResponse{Groups: iamGroupsOf(groups), IsTruncated: p.Truncated, Marker: p.Marker}, nil
		}),
		"DeleteGroup": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.DeleteGroup(ctx, c, r.GroupName)
		}),
		"AddUserToGroup": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.AddUserToGroup(ctx, c, r.GroupName, r.UserName)
		}),
		"RemoveUserFromGroup": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.RemoveUserFromGroup(ctx, c, r.GroupName, r.UserName)
		}),
		"ListGroupsForUser": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			groups, p, err := svc.ListGroupsForUser(ctx, c, r.UserName, pageOf(r))
			if err != nil {
				return nil, err
			}
			return listGroupsResponse{Groups: iamGroupsOf(groups), IsTruncated: p.Truncated, Marker: p.Marker}, nil
		}),

		// Roles.
		"CreateRole": op(func(ctx context.Context, c secrets.Caller, r *createRoleRequest) (any, error) {
			role, err := svc.CreateRole(ctx, c, iam.CreateRoleInput{
				Name: r.RoleName, Path: r.Path, TrustPolicy: r.AssumeRolePolicyDocument, Description: r.Description,
				MaxSessionDuration: r.MaxSessionDuration, PermissionsBoundary: r.PermissionsBoundary, Tags: iamTagsIn(r.Tags),
			})
			if err != nil {
				return nil, err
			}
			out := iamRoleOf(role)
			out.Tags = iamTagsOut(role.Tags)
			if len(out.Tags) == 0 {
				out.Tags = nil
			}
			if r.MaxSessionDuration == 0 {
				out.MaxSessionDuration = nil
			}
			return struct {
				Role iamRoleOut `json:"Role"`
			}{out}, nil
		}),
		"GetRole": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			role, err := svc.GetRole(ctx, c, r.RoleName)
			if err != nil {
				return nil, err
			}
			out := iamRoleOf(role)
			if len(role.Tags) > 0 {
				out.Tags = iamTagsOut(role.Tags)
			}
			out.RoleLastUsed = &struct{}{} // no use is recorded
			return struct {
				Role iamRoleOut `json:"Role"`
			}{out}, nil
		}),
		"ListRoles": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			roles, p, err := svc.ListRoles(ctx, c, iam.ListInput{PathPrefix: r.PathPrefix, PageInput: pageOf(r)})
			if err != nil {
				return nil, err
			}
			resp := listRolesResponse{Roles: make([]iamRoleOut, 0, len(roles)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, role := range roles {
				resp.Roles = append(resp.Roles, iamRoleOf(role))
			}
			return resp, nil
		}),
		"DeleteRole": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.DeleteRole(ctx, c, r.RoleName)
		}),
		"UpdateAssumeRolePolicy": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.UpdateAssumeRolePolicy(ctx, c, r.RoleName, r.PolicyDocument)
		}),
		"UpdateRole": op(func(ctx context.Context, c secrets.Caller, r *updateRoleRequest) (any, error) {
			return nil, svc.UpdateRole(ctx, c, iam.UpdateRoleInput{Name: r.RoleName, Description: r.Description, MaxSessionDuration: r.MaxSessionDuration})
		}),
		"TagRole": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.TagRole(ctx, c, r.RoleName, iamTagsIn(r.Tags))
		}),
		"UntagRole": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.UntagRole(ctx, c, r.RoleName, r.TagKeys)
		}),
		"ListRoleTags": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			tags, p, err := svc.ListRoleTags(ctx, c, r.RoleName, pageOf(r))
			if err != nil {
				return nil, err
			}
			return listTagsResponse{Tags: iamTagsOut(tags), IsTruncated: p.Truncated, Marker: p.Marker}, nil
		}),

		// Managed policies.
		"CreatePolicy": op(func(ctx context.Context, c secrets.Caller, r *createPolicyRequest) (any, error) {
			p, err := svc.CreatePolicy(ctx, c, iam.CreatePolicyInput{
				Name: r.PolicyName, Path: r.Path, Document: r.PolicyDocument, Description: r.Description, Tags: iamTagsIn(r.Tags),
			})
			if err != nil {
				return nil, err
			}
			out := iamPolicyOf(p)
			if len(p.Tags) > 0 {
				out.Tags = iamTagsOut(p.Tags)
			}
			return struct {
				Policy iamPolicyOut `json:"Policy"`
			}{out}, nil
		}),
		"GetPolicy": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			p, err := svc.GetPolicy(ctx, c, r.PolicyArn)
			if err != nil {
				return nil, err
			}
			out := iamPolicyOf(p)
			out.Description = p.Description
			out.Tags = iamTagsOut(p.Tags)
			return struct {
				Policy iamPolicyOut `json:"Policy"`
			}{out}, nil
		}),
		"ListPolicies": op(func(ctx context.Context, c secrets.Caller, r *listPoliciesRequest) (any, error) {
			ps, p, err := svc.ListPolicies(ctx, c, iam.ListPoliciesInput{
				Scope: r.Scope, OnlyAttached: r.OnlyAttached, PathPrefix: r.PathPrefix, UsageFilter: r.PolicyUsageFilter,
				PageInput: iam.PageInput{Marker: r.Marker, MaxItems: r.MaxItems},
			})
			if err != nil {
				return nil, err
			}
			resp := listPoliciesResponse{Policies: make([]iamPolicyOut, 0, len(ps)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, x := range ps {
				resp.Policies = append(resp.Policies, iamPolicyOf(x))
			}
			return resp, nil
		}),
		"DeletePolicy": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.DeletePolicy(ctx, c, r.PolicyArn)
		}),
		"CreatePolicyVersion": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			v, err := svc.CreatePolicyVersion(ctx, c, r.PolicyArn, r.PolicyDocument, r.SetAsDefault)
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyVersion iamPolicyVersionOut `json:"PolicyVersion"`
			}{iamPolicyVersionOut{VersionId: v.ID, IsDefaultVersion: v.Default, CreateDate: v.CreatedAt}}, nil
		}),
		"GetPolicyVersion": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			v, err := svc.GetPolicyVersion(ctx, c, r.PolicyArn, r.VersionId)
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyVersion iamPolicyVersionOut `json:"PolicyVersion"`
			}{iamPolicyVersionOut{Document: policyDocOut(v.Document), VersionId: v.ID, IsDefaultVersion: v.Default, CreateDate: v.CreatedAt}}, nil
		}),
		"ListPolicyVersions": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			vs, p, err := svc.ListPolicyVersions(ctx, c, r.PolicyArn, pageOf(r))
			if err != nil {
				return nil, err
			}
			resp := listPolicyVersionsResponse{Versions: make([]iamPolicyVersionOut, 0, len(vs)), IsTruncated: p.Truncated, Marker: p.Marker}
			for _, v := range vs {
				resp.Versions = append(resp.Versions, iamPolicyVersionOut{VersionId: v.ID, IsDefaultVersion: v.Default, CreateDate: v.CreatedAt})
			}
			return resp, nil
		}),
		"DeletePolicyVersion": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.DeletePolicyVersion(ctx, c, r.PolicyArn, r.VersionId)
		}),
		"SetDefaultPolicyVersion": op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
			return nil, svc.SetDefaultPolicyVersion(ctx, c, r.PolicyArn, r.VersionId)
		}),
		"ListEntitiesForPolicy": op(func(ctx context.Context, c secrets.Caller, r *listEntitiesRequest) (any, error) {
			refs, p, err := svc.ListEntitiesForPolicy(ctx, c, iam.ListEntitiesInput{
				ARN: r.PolicyArn, Filter: r.EntityFilter, PathPrefix: r.PathPrefix,
				PageInput: iam.PageInput{Marker: r.Marker, MaxItems: r.MaxItems},
			})
			if err != nil {
				return nil, err
			}
			resp := listEntitiesResponse{
				PolicyGroups: []iamPolicyGroupOut{}, PolicyUsers: []iamPolicyUserOut{}, PolicyRoles: []iamPolicyRoleOut{},
			}
			if r.PolicyUsageFilter == "PermissionsBoundary" {
				return resp, nil // no policy is used as a permissions boundary here
			}
			resp.IsTruncated, resp.Marker = p.Truncated, p.Marker
			for _, e := range refs {
				switch e.Kind {
				case iam.KindGroup:
					resp.PolicyGroups = append(resp.PolicyGroups, iamPolicyGroupOut{GroupName: e.Name, GroupId: e.ID})
				case iam.KindUser:
					resp.PolicyUsers = append(resp.PolicyUsers, iamPolicyUserOut{UserName: e.Name, UserId: e.ID})
				case iam.KindRole:
					resp.PolicyRoles = append(resp.PolicyRoles, iamPolicyRoleOut{RoleName: e.Name, RoleId: e.ID})
				}
			}
			return resp, nil
		}),
	}
	for _, k := range []iam.Kind{iam.KindUser, iam.KindGroup, iam.KindRole} {
		addPolicyHolderOps(ops, svc, k)
	}
	for name, h := range ops {
		ops[name] = iamErrors(h)
	}
	return ops
}

// addPolicyHolderOps adds the operations on the policies of one kind of
// identity: Put/Get/List/Delete<Kind>Policy (inline),
// Attach/Detach<Kind>Policy and ListAttached<Kind>Policies.
func addPolicyHolderOps(ops map[string]handler, svc *iam.Service, k iam.Kind) {
	title := strings.ToUpper(k.String()[:1]) + k.String()[1:]
	name := func(r *iamRequest) string {
		switch k {
		case iam.KindUser:
			return r.UserName
		case iam.KindGroup:
			return r.GroupName
		}
		return r.RoleName
	}
	ops["Put"+title+"Policy"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		return nil, svc.PutInlinePolicy(ctx, c, k, name(r), r.PolicyName, r.PolicyDocument)
	})
	ops["Get"+title+"Policy"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		holder, p, err := svc.GetInlinePolicy(ctx, c, k, name(r), r.PolicyName)
		if err != nil {
			return nil, err
		}
		// GetUserPolicyResult, GetGroupPolicyResult, GetRolePolicyResult:
		// the holder's name under its own member.
		return map[string]string{title + "Name": holder, "PolicyName": p.Name, "PolicyDocument": policyDocOut(p.Document)}, nil
	})
	ops["List"+title+"Policies"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		names, p, err := svc.ListInlinePolicies(ctx, c, k, name(r), pageOf(r))
		if err != nil {
			return nil, err
		}
		if names == nil {
			names = []string{}
		}
		return listPolicyNamesResponse{PolicyNames: names, IsTruncated: p.Truncated, Marker: p.Marker}, nil
	})
	ops["Delete"+title+"Policy"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		return nil, svc.DeleteInlinePolicy(ctx, c, k, name(r), r.PolicyName)
	})
	ops["Attach"+title+"Policy"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		return nil, svc.AttachPolicy(ctx, c, k, name(r), r.PolicyArn)
	})
	ops["Detach"+title+"Policy"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		return nil, svc.DetachPolicy(ctx, c, k, name(r), r.PolicyArn)
	})
	ops["ListAttached"+title+"Policies"] = op(func(ctx context.Context, c secrets.Caller, r *iamRequest) (any, error) {
		ps, p, err := svc.ListAttachedPolicies(ctx, c, k, name(r), r.PathPrefix, pageOf(r))
		if err != nil {
			return nil, err
		}
		resp := listAttachedResponse{AttachedPolicies: make([]iamAttachedPolicyOut, 0, len(ps)), IsTruncated: p.Truncated, Marker: p.Marker}
		for _, a := range ps {
			resp.AttachedPolicies = append(resp.AttachedPolicies, iamAttachedPolicyOut{PolicyName: a.Name, PolicyArn: a.ARN})
		}
		return resp, nil
	})
}

// iamErrors sends iam.ErrSessionCredentials as IAM does.
func iamErrors(h handler) handler {
	return func(ctx context.Context, c secrets.Caller, body []byte) (any, error) {
		resp, err := h(ctx, c, body)
		if errors.Is(err, iam.ErrSessionCredentials) {
			return nil, errInvalidClientTokenID
		}
		return resp, err
	}
}

func pageOf(r *iamRequest) iam.PageInput {
	return iam.PageInput{Marker: r.Marker, MaxItems: r.MaxItems}
}

func iamTagsIn(ts []iamTag) []secrets.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]secrets.Tag, len(ts))
	for i, t := range ts {
		out[i] = secrets.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// iamTagsOut returns the tags on the wire, never nil.
func iamTagsOut(ts []secrets.Tag) []iamTag {
	out := make([]iamTag, len(ts))
	for i, t := range ts {
		out[i] = iamTag{Key: t.Key, Value: t.Value}
	}
	return out
}

// iamUserOf is a user on the wire, with its tags when withTags (GetUser,
// CreateUser; ListUsers and GetGroup leave them out).
func iamUserOf(u *secrets.IAMUser, withTags bool) iamUserOut {
	out := iamUserOut{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: u.CreatedAt}
	if withTags && len(u.Tags) > 0 {
		out.Tags = iamTagsOut(u.Tags)
	}
	return out
}

func iamGroupOf(g *secrets.IAMGroup) iamGroupOut {
	return iamGroupOut{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: g.CreatedAt}
}

func iamGroupsOf(gs []*secrets.IAMGroup) []iamGroupOut {
	out := make([]iamGroupOut, 0, len(gs))
	for _, g := range gs {
		out = append(out, iamGroupOf(g))
	}
	return out
}

// iamRoleOf is a role as ListRoles shows it; GetRole and CreateRole add to it.
func iamRoleOf(r *secrets.IAMRole) iamRoleOut {
	d := r.MaxSessionDuration
	return iamRoleOut{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: r.CreatedAt,
		AssumeRolePolicyDocument: policyDocOut(r.TrustPolicy), Description: r.Description, MaxSessionDuration: &d,
	}
}

// iamPolicyOf is a policy as ListPolicies shows it: without its
// description and tags.
func iamPolicyOf(p *secrets.IAMPolicy) iamPolicyOut {
	return iamPolicyOut{
		PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, CreateDate: p.CreatedAt, UpdateDate: p.UpdatedAt,
	}
}

// policyDocOut is a policy document as IAM sends it: URL-encoded (RFC 3986
// percent-encoding, space as %20). botocore decodes it (and the AWS CLI
// shows a JSON object); the Go, Java and JavaScript SDKs hand it over as
// sent, for the caller to decode with url.QueryUnescape or
// decodeURIComponent, which this form suits: '+' never stands for a space.
func policyDocOut(doc string) string {
	if doc == "" {
		return ""
	}
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
