module example.com/single

go 1.26.0

require github.com/nextgo-dev/nextgo v0.1.0

require (
	github.com/aws/aws-lambda-go v1.55.1 // indirect
	github.com/aws/aws-sdk-go-v2 v1.48.0 // indirect
	github.com/aws/smithy-go v1.28.9 // indirect
	github.com/dlclark/regexp2 v1.12.0 // indirect
)

replace github.com/nextgo-dev/nextgo => ./.nextgo/runtime

ignore (
	./app
	./pages/api
)
