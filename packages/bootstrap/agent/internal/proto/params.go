package proto

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Version is the protocol version this agent speaks.
const Version = 1

// Header is the part of every `open` the dispatcher reads; each operation's params embed it.
type Header struct {
	V  *int   `json:"v"`
	Op string `json:"op"`
}

// Decode decodes a JSON object payload into v, refusing unknown fields, trailing data and payloads over 64 KiB.
func Decode(payload []byte, v interface{}) *Error {
	if len(payload) > 64<<10 {
		return Errf(BadRequest, "the JSON payload is %d bytes: at most 65536", len(payload))
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Errf(BadRequest, "the payload must be one JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return Errf(BadRequest, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return Errf(BadRequest, "the payload must be one JSON object, with nothing after it")
	}
	return nil
}

// MaxPath bounds a path's length in bytes.
const MaxPath = 4096

// Path checks an absolute path field.
func Path(name, p string) *Error {
	switch {
	case p == "":
		return Errf(BadRequest, "%s is required: an absolute path", name)
	case len(p) > MaxPath:
		return Errf(BadRequest, "%s is %d bytes: at most %d", name, len(p), MaxPath)
	case p[0] != '/':
		return Errf(BadRequest, "%s must be an absolute path (start with /): %q", name, p)
	case strings.IndexByte(p, 0) >= 0:
		return Errf(BadRequest, "%s contains a NUL byte", name)
	}
	return nil
}

// Range checks an optional integer field against [lo, hi]; def is returned when it is absent.
func Range(name string, v *int64, lo, hi, def int64) (int64, *Error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, Errf(BadRequest, "%s must be an integer from %d to %d: got %d", name, lo, hi, *v)
	}
	return *v, nil
}

// Signals are the signals a host may send, by name.
var Signals = map[string]int{
	"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGKILL": 9, "SIGUSR1": 10, "SIGUSR2": 12, "SIGTERM": 15,
}

// SignalNames names signals by number, for exit reports (all of 1..31 that Linux names).
var SignalNames = map[int]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE",
	9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
	16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU",
	23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
	30: "SIGPWR", 31: "SIGSYS",
}

// Signal checks a signal name field.
func Signal(name string) (int, *Error) {
	if sig, ok := Signals[name]; ok {
		return sig, nil
	}
	return 0, Errf(BadRequest, "signal must be one of SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2: got %q", truncate(name, 64))
}

// Size is a terminal size.
type Size struct {
	Cols *int64 `json:"cols"`
	Rows *int64 `json:"rows"`
}

// Check validates both dimensions (1..4096, required).
func (s *Size) Check(name string) (cols, rows uint16, err *Error) {
	if s.Cols == nil || s.Rows == nil {
		return 0, 0, Errf(BadRequest, "%s needs cols and rows", name)
	}
	c, err := Range(name+".cols", s.Cols, 1, 4096, 0)
	if err != nil {
		return 0, 0, err
	}
	r, err := Range(name+".rows", s.Rows, 1, 4096, 0)
	if err != nil {
		return 0, 0, err
	}
	return uint16(c), uint16(r), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
