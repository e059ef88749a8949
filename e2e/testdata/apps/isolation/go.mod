module example.com/isolation

go 1.24

require (
	github.com/aws/aws-sdk-go-v2/service/lambda v1.114.2
	github.com/nextgo-dev/nextgo v0.1.0
)
