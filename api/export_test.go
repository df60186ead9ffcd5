package api

// RequestHash exposes the idempotency hash to the black-box tests.
var RequestHash = requestHash
