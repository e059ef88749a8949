package awsfake_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/nextgo-dev/nextgo/e2e/awsfake"
)

func Example() {
	s, err := awsfake.New(awsfake.Options{Account: "111122223333"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	// Any SDK client pointed at s.URL (here explicitly; a CLI would use
	// AWS_ENDPOINT_URL) talks to the fake.
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(aws.ToString(id.Account))
	for _, c := range s.Calls() {
		fmt.Println(c.Service, c.Op, c.Status, c.Mutating)
	}
	// Output:
	// 111122223333
	// sts GetCallerIdentity 200 false
}
