package deploy

import "encoding/json"

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string            `json:"Version"`
	Statement []PolicyStatement `json:"Statement"`
}

// PolicyStatement is one statement of an IAM policy document.
type PolicyStatement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// Policy returns the IAM policy the identity that runs `nextgo deploy`,
// `rollback` and `remove` for app and stage needs, as indented JSON: every
// action those commands call, each on the resources of that app and stage
// alone where the service lets a policy name them.
func Policy(app, stage string) string {
	fnPrefix := functionPrefix(app, stage)
	roles := []string{"arn:aws:iam::*:role/" + RoleName(app, stage), "arn:aws:iam::*:role/" + CacheRoleName(app, stage)}
	b := BucketName("", "", app, stage) // the hash differs by account and region
	bucket := b[:len(b)-len("xxxxxxxx")] + "*"
	fns := []string{"arn:aws:lambda:*:*:function:" + fnPrefix + "*", "arn:aws:lambda:*:*:function:" + fnPrefix + "*:*"}
	doc := struct {
		Version   string            `json:"Version"`
		Statement []PolicyStatement `json:"Statement"`
	}{Version: "2012-10-17", Statement: []PolicyStatement{
		{Sid: "Identify", Effect: "Allow", Action: []string{"sts:GetCallerIdentity"}, Resource: []string{"*"}},
		{Sid: "ListFunctions", Effect: "Allow", Action: []string{"lambda:ListFunctions"}, Resource: []string{"*"}},
		{Sid: "Functions", Effect: "Allow", Action: []string{
			"lambda:AddPermission", "lambda:CreateAlias", "lambda:CreateFunction", "lambda:DeleteFunction",
			"lambda:GetAlias", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetPolicy",
			"lambda:ListTags", "lambda:PublishVersion", "lambda:RemovePermission", "lambda:TagResource",
			"lambda:UpdateAlias", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
		}, Resource: fns},
		{Sid: "ExecutionRole", Effect: "Allow", Action: []string{
			"iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
			"iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:PutRolePolicy",
			"iam:TagRole", "iam:UpdateAssumeRolePolicy",
		}, Resource: roles},
		{Sid: "PassExecutionRole", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: roles,
			Condition: map[string]any{"StringEquals": map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}}},
		{Sid: "HTTPAPI", Effect: "Allow", Action: []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST"},
			Resource: []string{"arn:aws:apigateway:*::/apis", "arn:aws:apigateway:*::/apis/*", "arn:aws:apigateway:*::/tags/*"}},
		// The REST API of an app with a streaming route (restapi.go).
		{Sid: "RESTAPI", Effect: "Allow", Action: []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"},
			Resource: []string{"arn:aws:apigateway:*::/restapis", "arn:aws:apigateway:*::/restapis/*"}},
		{Sid: "DeployBucket", Effect: "Allow", Action: []string{
			"s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketTagging", "s3:ListBucket", "s3:PutBucketTagging",
		}, Resource: []string{"arn:aws:s3:::" + bucket}},
		{Sid: "DeployBucketObjects", Effect: "Allow", Action: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
			Resource: []string{"arn:aws:s3:::" + bucket + "/*"}},
	}}
	out, _ := json.MarshalIndent(doc, "", "  ")
	return string(out) + "\n"
}
