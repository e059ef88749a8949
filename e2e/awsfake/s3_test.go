package awsfake

import (
	"bytes"
	"context"
	"errors"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestS3 drives the S3 service through the SDK: buckets and objects
// (gofakes3), bucket tags, and a function created from an S3 object.
func TestS3(t *testing.T) {
	s, c := newFake(t, Options{})
	ctx := context.Background()
	const bucket = "nextgo-shop-dev-deploy"
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if code := apiCode(err); code != "NoSuchTagSet" {
		t.Errorf("GetBucketTagging of an untagged bucket: %v, want NoSuchTagSet", err)
	}
	_, err = c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &s3types.Tagging{
		TagSet: []s3types.Tag{{Key: aws.String("nextgo:app"), Value: aws.String("shop")}, {Key: aws.String("nextgo:stage"), Value: aws.String("dev")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil || len(tags.TagSet) != 2 || aws.ToString(tags.TagSet[0].Key) != "nextgo:app" || aws.ToString(tags.TagSet[1].Value) != "dev" {
		t.Errorf("GetBucketTagging = %+v, %v", tags, err)
	}
	if _, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("no-such-bucket")}); apiCode(err) != "NoSuchBucket" {
		t.Errorf("GetBucketTagging of a missing bucket: %v", err)
	}

	zip := testZips(t)["a"]
	if _, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("code/a.zip"), Body: bytes.NewReader(zip)}); err != nil {
		t.Fatal(err)
	}
	obj, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("code/a.zip")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, zip) {
		t.Errorf("GetObject: %d bytes, want %d", len(got), len(zip))
	}
	if keys := s.S3.Keys(bucket, "code/"); len(keys) != 1 || keys[0] != "code/a.zip" {
		t.Errorf("Keys = %v", keys)
	}

	role := createRole(t, c, "r")
	create := func(key string) error {
		_, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("from-s3-" + strings.NewReplacer("/", "-", ".", "-").Replace(key)), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: aws.String(role), Code: &ltypes.FunctionCode{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
			Architectures: []ltypes.Architecture{arch()},
		})
		return err
	}
	if err := create("code/a.zip"); err != nil {
		t.Fatal(err)
	}
	fn, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("from-s3-code-a-zip")})
	if err != nil || aws.ToInt64(&fn.Configuration.CodeSize) != int64(len(zip)) {
		t.Errorf("function from S3: %+v, %v", fn, err)
	}
	if err := create("code/missing.zip"); apiCode(err) != "InvalidParameterValueException" || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Errorf("function from a missing object: %v", err)
	}

	// A bucket is deleted once it is empty; its tags go with it.
	if _, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); apiCode(err) != "BucketNotEmpty" {
		t.Errorf("DeleteBucket of a bucket with objects: %v", err)
	}
	if _, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("code/a.zip")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if tags := s.S3.BucketTags(bucket); tags != nil {
		t.Errorf("tags of the deleted bucket: %v", tags)
	}
	var ops []string
	for _, call := range s.Calls() {
		if call.Service == "s3" {
			ops = append(ops, call.Op)
		}
	}
	want := "CreateBucket GetBucketTagging PutBucketTagging GetBucketTagging GetBucketTagging PutObject GetObject DeleteBucket DeleteObject DeleteBucket"
	if strings.Join(ops, " ") != want {
		t.Errorf("S3 calls:\n%s\nwant\n%s", strings.Join(ops, " "), want)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestDeny refuses denied actions with each service's access-denied
// error, and GetFunction hides tags while lambda:ListTags is denied.
func TestDeny(t *testing.T) {
	s, c := newFake(t, Options{})
	ctx := context.Background()
	role := createRole(t, c, "r")
	createFunction(t, c, "f", role, testZips(t)["a"])
	s.Deny("lambda:ListTags", "s3:CreateBucket", "iam:GetRole")

	arn := "arn:aws:lambda:us-east-1:123456789012:function:f"
	_, err := c.lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	var re interface{ HTTPStatusCode() int }
	if apiCode(err) != "AccessDeniedException" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden ||
		!strings.Contains(err.Error(), "is not authorized to perform: lambda:ListTags on resource: "+arn) {
		t.Errorf("ListTags denied: %v", err)
	}
	fn, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
	if err != nil || fn.Tags != nil {
		t.Errorf("GetFunction without lambda:ListTags: tags %v, %v; want none", fn.Tags, err)
	}
	if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b")}); apiCode(err) != "AccessDenied" {
		t.Errorf("CreateBucket denied: %v", err)
	}
	if _, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}); apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "iam:GetRole") {
		t.Errorf("GetRole denied: %v", err)
	}
	s.Allow("lambda:ListTags")
	fn, err = c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")})
	if err != nil || fn.Tags["nextgo:app"] != "t" {
		t.Errorf("GetFunction allowed again: tags %v, %v", fn.Tags, err)
	}
}

// TestThrottle answers Lambda control-plane calls over the rate with 429
// TooManyRequestsException, and leaves GetFunction its own, higher quota.
func TestThrottle(t *testing.T) {
	_, c := newFake(t, Options{ControlPlaneRate: 15})
	ctx := context.Background()
	var throttled, ok int
	for range 40 {
		_, err := c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
		switch {
		case err == nil:
			ok++
		case apiCode(err) == "TooManyRequestsException":
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusTooManyRequests {
				t.Fatalf("throttled with %v", err)
			}
			throttled++
		default:
			t.Fatal(err)
		}
	}
	// 40 calls in far less than a second: the bucket holds 15, and refills
	// at 15 per second while the loop runs.
	if throttled == 0 || ok < 15 || ok > 30 {
		t.Errorf("40 quick ListFunctions: %d answered, %d throttled", ok, throttled)
	}
	for i := range 40 {
		_, err := c.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("missing")})
		if apiCode(err) != "ResourceNotFoundException" {
			t.Fatalf("GetFunction %d: %v, want its own quota of 100 per second", i, err)
		}
	}
}
