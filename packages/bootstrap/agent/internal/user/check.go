package user

import (
	"os"

	"sbx.dev/agent/internal/proto"
)

// Permit says whether the agent may act as cred: always when it is root, else only as its own uid.
func Permit(cred *Cred) *proto.Error {
	if cred == nil || os.Geteuid() == 0 || uint32(os.Geteuid()) == cred.UID {
		return nil
	}
	return proto.Errf(proto.PermissionDenied, "the agent runs as uid %d, not root: it can act only as itself, not as uid %d", os.Geteuid(), cred.UID)
}

// Switches says whether acting as cred changes anything (a different uid, gid or groups than the agent's).
func (c *Cred) Switches() bool {
	return c != nil && (c.UID != uint32(os.Geteuid()) || c.GID != uint32(os.Getegid()) || len(c.Groups) > 1)
}
