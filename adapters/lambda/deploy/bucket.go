package deploy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The deploy bucket holds what deploy keeps of each stage: the release
// records (releases/NNNNNN.json) and, while a function is created or
// updated, a zip too large to upload directly (code/<sha256>.zip).

// BucketName is the S3 bucket deploy keeps for app and stage in account
// and region: "nextgo-<app>-<stage>-<hash>", lower case, at most 63
// characters (S3's bucket naming rules), the hash of account, region, app
// and stage keeping it unique, as bucket names are global.
func BucketName(account, region, app, stage string) string {
	sum := sha256.Sum256([]byte(account + "\x00" + region + "\x00" + app + "\x00" + stage))
	suffix := "-" + hex.EncodeToString(sum[:4])
	slug := strings.Map(func(c rune) rune {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			return c
		case 'A' <= c && c <= 'Z':
			return c + 'a' - 'A'
		}
		return '-'
	}, app+"-"+stage)
	name := "nextgo-" + slug
	if len(name) > 63-len(suffix) {
		name = name[:63-len(suffix)]
	}
	return strings.TrimRight(name, "-") + suffix
}

// bucketState is what the plan found about the deploy bucket.
type bucketState int

const (
	bucketMissing bucketState = iota
	bucketOwned
)

// readBucket checks the deploy bucket: missing, or there and tagged for
// the app and stage (else an error: the name is someone else's).
func (s *session) readBucket(ctx context.Context) (bucketState, error) {
	_, err := s.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	switch code := errorCode(err); {
	case code == "NotFound" || code == "NoSuchBucket":
		return bucketMissing, nil
	case err != nil:
		return 0, fmt.Errorf("read bucket %s: %w", s.bucket, err)
	}
	out, err := s.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &s.bucket})
	if err != nil && errorCode(err) != "NoSuchTagSet" {
		return 0, fmt.Errorf("read tags of bucket %s: %w", s.bucket, err)
	}
	tags := map[string]string{}
	if out != nil {
		for _, t := range out.TagSet {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	if !s.owns(tags) {
		return 0, fmt.Errorf("bucket %s exists but is not tagged %s=%s and %s=%s: nextgo leaves buckets it did not create alone", s.bucket, TagApp, s.app, TagStage, s.stage)
	}
	return bucketOwned, nil
}

// createBucket creates the deploy bucket and tags it.
func (s *session) createBucket(ctx context.Context) error {
	in := &s3.CreateBucketInput{Bucket: &s.bucket}
	if s.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(s.region)}
	}
	if _, err := s.s3.CreateBucket(ctx, in); err != nil && errorCode(err) != "BucketAlreadyOwnedByYou" {
		return fmt.Errorf("create bucket %s: %w", s.bucket, err)
	}
	var tags []s3types.Tag
	for _, k := range []string{TagApp, TagStage} {
		tags = append(tags, s3types.Tag{Key: aws.String(k), Value: aws.String(s.tags()[k])})
	}
	_, err := s.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &s.bucket, Tagging: &s3types.Tagging{TagSet: tags}})
	if err != nil {
		return fmt.Errorf("tag bucket %s: %w", s.bucket, err)
	}
	s.logf("  created bucket %s", s.bucket)
	return nil
}

// putObject writes an object of the deploy bucket.
func (s *session) putObject(ctx context.Context, key string, data []byte) error {
	_, err := s.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
	if err != nil {
		return fmt.Errorf("write s3://%s/%s: %w", s.bucket, key, err)
	}
	return nil
}

// getObject reads an object of the deploy bucket.
func (s *session) getObject(ctx context.Context, key string) ([]byte, error) {
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", s.bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", s.bucket, key, err)
	}
	return data, nil
}

// deleteObjects deletes objects of the deploy bucket.
func (s *session) deleteObjects(ctx context.Context, keys ...string) error {
	for _, key := range keys {
		if _, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}); err != nil && errorCode(err) != "NoSuchKey" {
			return fmt.Errorf("delete s3://%s/%s: %w", s.bucket, key, err)
		}
	}
	return nil
}

// listKeys lists the keys of the deploy bucket under prefix.
func (s *session) listKeys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for i := 0; p.HasMorePages() && i < maxPages; i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// removeBucket empties and deletes the deploy bucket.
func (s *session) removeBucket(ctx context.Context) error {
	keys, err := s.listKeys(ctx, "")
	if err != nil {
		return err
	}
	if err := s.deleteObjects(ctx, keys...); err != nil {
		return err
	}
	if _, err := s.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &s.bucket}); err != nil && errorCode(err) != "NoSuchBucket" {
		return fmt.Errorf("delete bucket %s: %w", s.bucket, err)
	}
	return nil
}
