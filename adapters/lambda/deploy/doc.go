// Package deploy ships a nextgo build to AWS: one Lambda function per route,
// a published version and a "live" alias per function, and one API Gateway
// HTTP API (payload format 2.0) in front of them. It is the engine behind
// `nextgo deploy`, `nextgo rollback` and `nextgo remove`.
//
// Every resource is named after the app and the stage and tagged
// nextgo:app and nextgo:stage, and all deploy state lives in AWS (tags,
// alias descriptions), never in a local file: two machines deploying the
// same app agree on what is deployed.
//
// A deploy runs in phases:
//
//  1. plan: compute the desired state of the stage from the build alone
//     ([Desire], the value the CloudFormation exporter renders too), read
//     the current state with read-only calls and compare the two (code
//     SHA-256 and configuration per function);
//  2. role: ensure the execution role (basic execution only);
//  3. functions: create or update the functions that changed, publish a
//     version of each, and wait until every one is ready (bounded
//     concurrency, throttling and conflicts retried with backoff);
//  4. release: only then point each changed function's live alias at its
//     new version;
//  5. API: the HTTP API, its $default stage, one integration per function
//     (to the live alias), one route per nextgo route, the $default route
//     to the app's fallback function when it has one (the paths no route
//     serves, so that middleware.go and nextgo.json rules run for them),
//     and invoke permissions scoped to the API;
//  6. prune (optional): delete what is tagged for the app and stage but no
//     longer in the build.
//
// A failure before phase 4 leaves every alias, and so the previous release,
// untouched; a re-run picks up where the failed one stopped.
//
// The SDK configuration comes from [LoadAWSConfig], which uses the default
// credential chain (environment, shared profiles, SSO, instance roles) and
// honours AWS_ENDPOINT_URL, so a deploy can target any AWS-compatible
// endpoint.
package deploy
