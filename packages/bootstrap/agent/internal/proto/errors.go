// Package proto holds the protocol's error type, error codes and the validation of `open` parameters.
package proto

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"unicode/utf8"
)

// Error codes (PROTOCOL.md, "Errors").
const (
	BadRequest         = "BAD_REQUEST"
	UnsupportedVersion = "UNSUPPORTED_VERSION"
	UnknownOp          = "UNKNOWN_OP"
	NotFound           = "NOT_FOUND"
	Exists             = "EXISTS"
	NotADirectory      = "NOT_A_DIRECTORY"
	IsADirectory       = "IS_A_DIRECTORY"
	PermissionDenied   = "PERMISSION_DENIED"
	ReadOnly           = "READ_ONLY"
	Limit              = "LIMIT"
	ConnectionRefused  = "CONNECTION_REFUSED"
	Internal           = "INTERNAL"
)

// MaxMessage bounds an error message (1 KiB).
const MaxMessage = 1024

// Error is what an `error` frame carries.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errf builds an Error; the message is cut to MaxMessage bytes on a rune boundary.
func Errf(code, format string, args ...interface{}) *Error {
	msg := fmt.Sprintf(format, args...)
	if len(msg) > MaxMessage {
		cut := MaxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	return &Error{Code: code, Message: msg}
}

// FromOS maps an operating-system error to its protocol code; what names the operation and path for the message.
func FromOS(err error, what string) *Error {
	var perr *Error
	if errors.As(err, &perr) {
		return perr
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		if errors.Is(err, os.ErrNotExist) {
			return Errf(NotFound, "%s: no such file or directory", what)
		}
		return Errf(Internal, "%s: %v", what, err)
	}
	switch errno {
	case syscall.ENOENT:
		return Errf(NotFound, "%s: no such file or directory", what)
	case syscall.EEXIST, syscall.ENOTEMPTY:
		return Errf(Exists, "%s: %s", what, errno.Error())
	case syscall.ENOTDIR:
		return Errf(NotADirectory, "%s: not a directory", what)
	case syscall.EISDIR:
		return Errf(IsADirectory, "%s: is a directory", what)
	case syscall.EACCES, syscall.EPERM:
		return Errf(PermissionDenied, "%s: %s", what, errno.Error())
	case syscall.EROFS:
		return Errf(ReadOnly, "%s: %s", what, errno.Error())
	case syscall.ELOOP, syscall.ENAMETOOLONG, syscall.EINVAL, syscall.EXDEV, syscall.ENOEXEC:
		return Errf(BadRequest, "%s: %s", what, errno.Error())
	case syscall.ENOSPC, syscall.EDQUOT, syscall.EMFILE, syscall.ENFILE:
		return Errf(Limit, "%s: %s", what, errno.Error())
	}
	return Errf(Internal, "%s: %s", what, errno.Error())
}
