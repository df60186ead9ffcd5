// Package cpcready holds the API contract, openapi.yaml, embedded so that
// the binary serves exactly the spec the contract test checks.
package cpcready

import _ "embed"

// OpenAPI is the contents of openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
