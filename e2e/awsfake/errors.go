package awsfake

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
)

// awsError is an error answer, in the shape of the service that gives it.
type awsError struct {
	status  int
	code    string
	message string
}

func (e *awsError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *awsError {
	return &awsError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// Lambda's errors.
func lambdaNotFound(format string, args ...any) *awsError {
	return errorf(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

func lambdaConflict(format string, args ...any) *awsError {
	return errorf(http.StatusConflict, "ResourceConflictException", format, args...)
}

func lambdaInvalid(format string, args ...any) *awsError {
	return errorf(http.StatusBadRequest, "InvalidParameterValueException", format, args...)
}

func lambdaValidation(format string, args ...any) *awsError {
	return errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

// writeJSONError writes a REST-JSON error: the X-Amzn-ErrorType header
// and a JSON body, as Lambda and API Gateway send them.
func writeJSONError(w http.ResponseWriter, service string, e *awsError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", e.code)
	h.Set("X-Amzn-RequestId", newRequestID())
	var body any
	switch {
	case service == "lambda" && e.code == "TooManyRequestsException":
		h.Set("Retry-After", "1")
		body = map[string]string{"Reason": "CallerRateLimitExceeded", "Type": "User", "message": e.message, "retryAfterSeconds": "1"}
	case service == "lambda":
		body = map[string]string{"Type": "User", "message": e.message}
	default:
		body = map[string]string{"message": e.message}
	}
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(body)
}

// writeXMLError writes a query-protocol error document, as IAM and STS send
// them.
func writeXMLError(w http.ResponseWriter, service string, e *awsError) {
	type errDoc struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Error   struct {
			Type    string
			Code    string
			Message string
		}
		RequestID string `xml:"RequestId"`
	}
	doc := errDoc{Xmlns: xmlns(service), RequestID: newRequestID()}
	doc.Error.Type = "Sender"
	if e.status >= 500 {
		doc.Error.Type = "Receiver"
	}
	doc.Error.Code, doc.Error.Message = e.code, e.message
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(doc)
}

func xmlns(service string) string {
	if service == "sts" {
		return "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	return "https://iam.amazonaws.com/doc/2010-05-08/"
}

// throttleError is the throttling error of a service.
func throttleError(service string) *awsError {
	switch service {
	case "lambda":
		return errorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate Exceeded.")
	case "apigateway":
		return errorf(http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests")
	}
	return errorf(http.StatusBadRequest, "Throttling", "Rate exceeded")
}

// faultError turns an injected fault into the error it answers with.
func faultError(service string, f *fault) *awsError {
	if f.code == "throttle" {
		return throttleError(service)
	}
	return &awsError{status: f.status, code: f.code, message: f.message}
}
