package server

import (
	"bytes"
	"encoding/json"

	"sbx.dev/agent/internal/proto"
)

// decodeLoose reads the header fields of an `open`, ignoring the operation's own fields.
func decodeLoose(payload []byte, v interface{}) *proto.Error {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return proto.Errf(proto.BadRequest, "the open payload must be one JSON object")
	}
	if err := json.Unmarshal(payload, v); err != nil {
		return proto.Errf(proto.BadRequest, "the open payload is not a valid JSON object: %v", err)
	}
	return nil
}
